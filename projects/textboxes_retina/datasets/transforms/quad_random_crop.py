"""SSD / TextBoxes++ patch sampling for quadrilateral text."""
from typing import Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmocr.registry import TRANSFORMS

from .quad_geometry import (clip_polygons, keep_instances, overlaps_with_box, polygons_to_bboxes,
                            translate_polygons)


@TRANSFORMS.register_module()
class QuadRandomCrop(BaseTransform):
    """Crop a random patch as SSD / TextBoxes++ do, clipping the words it cuts.

    For each image one mode is drawn from ``min_overlaps``: ``None`` keeps the whole image;
    a number ``t`` samples up to ``max_trials`` patches (side scale in ``scale_range`` and aspect
    ratio in ``aspect_ratio_range`` relative to the image, as in SSD) and takes the first whose
    overlap with at least one cared (not ignored) word is ``>= t`` (``t = 0`` accepts any patch).
    If no trial succeeds the whole image is kept.

    Every word is then clipped to the patch (even the whole image: out-of-image vertices are
    removed): a word inside stays as it is; a word cut by the patch becomes the minimum-area
    rectangle of its visible part, clamped inside the patch, and if less than
    ``min_kept_area_ratio`` of its area is left it becomes don't-care (``cut_word_mode='ignore'``)
    or is removed (``'drop'``); a word outside the patch is removed. Polygons stay 8-value quads,
    ``gt_bboxes`` are recomputed from them, and no output point lies outside the image.

    Required Keys:

    - img
    - img_shape
    - gt_polygons
    - gt_ignored
    - gt_bboxes (optional)
    - gt_bboxes_labels (optional)
    - gt_texts (optional)

    Modified Keys:

    - img
    - img_shape
    - gt_polygons
    - gt_ignored
    - gt_bboxes (optional)
    - gt_bboxes_labels (optional)
    - gt_texts (optional)

    Added Keys:

    - crop_bbox (np.ndarray): ``[x1, y1, x2, y2]`` of the patch in the input image.

    Args:
        min_overlaps (Sequence[float | None]): The modes drawn from, uniformly.
            Defaults to ``(None, 0.0, 0.1, 0.3, 0.5, 0.7, 0.9)``.
        overlap_mode (str): ``'coverage'`` (fraction of the word inside the patch, suited to
            small text) or ``'iou'`` (Jaccard overlap as in SSD). Defaults to 'coverage'.
        scale_range (tuple[float, float]): Patch side relative to the image side.
            Defaults to (0.3, 1.0).
        aspect_ratio_range (tuple[float, float]): Patch aspect-ratio factor
            (``w = s * sqrt(r)``, ``h = s / sqrt(r)``). Defaults to (0.5, 2.0).
        max_trials (int): Patches sampled per image before falling back to the whole image.
            Defaults to 50.
        min_kept_area_ratio (float): Fraction of a cut word's area that must stay in the patch
            for it to remain a cared word. Defaults to 0.5.
        cut_word_mode (str): ``'ignore'`` or ``'drop'`` for words under that ratio.
            Defaults to 'ignore'.
    """

    def __init__(self,
                 min_overlaps: Sequence[Optional[float]] = (None, 0.0, 0.1, 0.3, 0.5, 0.7, 0.9),
                 overlap_mode: str = 'coverage',
                 scale_range: Tuple[float, float] = (0.3, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (0.5, 2.0),
                 max_trials: int = 50,
                 min_kept_area_ratio: float = 0.5,
                 cut_word_mode: str = 'ignore') -> None:
        if overlap_mode not in ('coverage', 'iou'):
            raise ValueError(f"overlap_mode must be 'coverage' or 'iou', got {overlap_mode!r}")
        if cut_word_mode not in ('ignore', 'drop'):
            raise ValueError(f"cut_word_mode must be 'ignore' or 'drop', got {cut_word_mode!r}")
        if not 0 < scale_range[0] <= scale_range[1] <= 1:
            raise ValueError(f'scale_range must satisfy 0 < min <= max <= 1, got {scale_range}')
        if not 0 < aspect_ratio_range[0] <= aspect_ratio_range[1]:
            raise ValueError(f'aspect_ratio_range must be positive, got {aspect_ratio_range}')
        if len(min_overlaps) == 0:
            raise ValueError('min_overlaps must not be empty')
        self.min_overlaps = tuple(min_overlaps)
        self.overlap_mode = overlap_mode
        self.scale_range = tuple(scale_range)
        self.aspect_ratio_range = tuple(aspect_ratio_range)
        self.max_trials = max_trials
        self.min_kept_area_ratio = min_kept_area_ratio
        self.cut_word_mode = cut_word_mode

    def _sample_patch_shape(self, height: int, width: int) -> Tuple[int, int]:
        """Draw a patch ``(h, w)`` from the scale and aspect-ratio ranges."""
        scale = np.random.uniform(*self.scale_range)
        ratio = np.random.uniform(*self.aspect_ratio_range)
        patch_w = int(np.clip(round(width * scale * np.sqrt(ratio)), 1, width))
        patch_h = int(np.clip(round(height * scale / np.sqrt(ratio)), 1, height))
        return patch_h, patch_w

    @cache_randomness
    def _sample_crop_box(self, height: int, width: int, polygons: Sequence[np.ndarray],
                         ignored: np.ndarray) -> np.ndarray:
        """Draw a mode and a patch satisfying it.

        Args:
            height (int): Image height.
            width (int): Image width.
            polygons (Sequence[np.ndarray]): The words.
            ignored (np.ndarray): ``(N,)`` don't-care flags; those words do not count.

        Returns:
            np.ndarray: ``[x1, y1, x2, y2]`` int64, the whole image on fallback.
        """
        whole = np.array([0, 0, width, height], dtype=np.int64)
        min_overlap = self.min_overlaps[np.random.randint(len(self.min_overlaps))]
        if min_overlap is None:
            return whole
        cared = [p for p, ign in zip(polygons, ignored) if not ign]
        for _ in range(self.max_trials):
            patch_h, patch_w = self._sample_patch_shape(height, width)
            x1 = np.random.randint(width - patch_w + 1)
            y1 = np.random.randint(height - patch_h + 1)
            box = np.array([x1, y1, x1 + patch_w, y1 + patch_h], dtype=np.int64)
            if min_overlap <= 0:
                return box
            if cared and overlaps_with_box(cared, box, self.overlap_mode).max() >= min_overlap:
                return box
        return whole

    def transform(self, results: dict) -> dict:
        """Crop the image and clip the words.

        Args:
            results (dict): Result dict with the required keys.

        Returns:
            dict: The cropped result.
        """
        height, width = results['img'].shape[:2]
        polygons = results.get('gt_polygons', [])
        ignored = results.get('gt_ignored', np.zeros(len(polygons), dtype=bool))
        box = self._sample_crop_box(height, width, polygons, ignored)
        x1, y1, x2, y2 = (int(v) for v in box)
        results['img'] = results['img'][y1:y2, x1:x2]
        results['img_shape'] = results['img'].shape[:2]
        results['crop_bbox'] = box
        if not polygons:
            return results

        clipped, kept = clip_polygons(polygons, box)
        too_small = kept < self.min_kept_area_ratio
        keep = (kept > 0) & ~(too_small & (self.cut_word_mode == 'drop'))
        ignored = np.array(ignored, dtype=bool) | too_small
        clipped = [p if p is not None else np.zeros(8, np.float32) for p in clipped]
        results['gt_polygons'] = translate_polygons(clipped, -x1, -y1)
        results['gt_ignored'] = ignored
        results['gt_bboxes'] = polygons_to_bboxes(results['gt_polygons'])
        return keep_instances(results, keep)

    def __repr__(self) -> str:
        repr_str = self.__class__.__name__
        repr_str += f'(min_overlaps={self.min_overlaps}, '
        repr_str += f"overlap_mode='{self.overlap_mode}', "
        repr_str += f'scale_range={self.scale_range}, '
        repr_str += f'aspect_ratio_range={self.aspect_ratio_range}, '
        repr_str += f'max_trials={self.max_trials}, '
        repr_str += f'min_kept_area_ratio={self.min_kept_area_ratio}, '
        repr_str += f"cut_word_mode='{self.cut_word_mode}')"
        return repr_str
