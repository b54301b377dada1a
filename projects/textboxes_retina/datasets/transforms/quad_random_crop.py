# Copyright (c) textboxes_retina authors.
"""SSD / TextBoxes++ patch sampling for quadrilateral text (and the seed's word-count modes)."""
from typing import Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmocr.registry import TRANSFORMS

from textboxes_retina.structures import (crop_polygons, overlaps_with_box, polygons_to_bboxes,
                                         translate_polygons)
from .instances import keep_instances


@TRANSFORMS.register_module()
class QuadRandomCrop(BaseTransform):
    """Crop a random patch as SSD / TextBoxes++ do, clipping the words it cuts.

    For each image one mode is drawn from ``min_overlaps``: ``None`` keeps the whole image;
    a number ``t`` samples up to ``max_trials`` patches (side scale in ``scale_range`` and aspect
    ratio in ``aspect_ratio_range`` relative to the image, as in SSD) and takes the first whose
    overlap with at least one cared (not ignored) word is ``>= t`` (``t = 0`` accepts any patch).
    If no trial succeeds the whole image is kept.

    With ``min_words_inside`` set, the modes are the seed's instead (qjadud1994/Text_Detector,
    ``augmentations.py: RandomSampleCropPoly``): ``None`` keeps the whole image; a count ``k``
    takes the first patch in which more than ``k`` cared words have more than ``inside_thr`` of
    their axis-aligned bounding box inside. Patches are then drawn as the seed draws them: width
    and height independently, uniform in ``scale_range`` times the image's, rejected unless the
    patch's own ``h / w`` lies in ``aspect_ratio_range`` (the seed: ``scale_range=(0.1, 1.0)``,
    ``aspect_ratio_range=(0.5, 2.0)``, modes ``(None, 1, 3, 5, 7, 9)``, 50 trials). Unlike the
    seed, which then draws another mode, a mode whose trials all fail keeps the whole image.

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
        min_words_inside (Sequence[int | None], optional): The seed's word-count modes, used
            instead of ``min_overlaps`` when given. Defaults to None.
        inside_thr (float): Fraction of a word's bounding box that must be inside the patch
            (strictly more) for it to count in a word-count mode. Defaults to 0.9.
    """

    def __init__(self,
                 min_overlaps: Sequence[Optional[float]] = (None, 0.0, 0.1, 0.3, 0.5, 0.7, 0.9),
                 overlap_mode: str = 'coverage',
                 scale_range: Tuple[float, float] = (0.3, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (0.5, 2.0),
                 max_trials: int = 50,
                 min_kept_area_ratio: float = 0.5,
                 cut_word_mode: str = 'ignore',
                 min_words_inside: Optional[Sequence[Optional[int]]] = None,
                 inside_thr: float = 0.9) -> None:
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
        if min_words_inside is not None and (len(min_words_inside) == 0
                                             or any(k is not None and k < 0
                                                    for k in min_words_inside)):
            raise ValueError('min_words_inside must be a non-empty sequence of None or counts '
                             f'>= 0, got {min_words_inside}')
        if not 0 <= inside_thr < 1:
            raise ValueError(f'inside_thr must be in [0, 1), got {inside_thr}')
        self.min_overlaps = tuple(min_overlaps)
        self.overlap_mode = overlap_mode
        self.scale_range = tuple(scale_range)
        self.aspect_ratio_range = tuple(aspect_ratio_range)
        self.max_trials = max_trials
        self.min_kept_area_ratio = min_kept_area_ratio
        self.cut_word_mode = cut_word_mode
        self.min_words_inside = (None if min_words_inside is None else tuple(min_words_inside))
        self.inside_thr = inside_thr

    def _sample_patch_shape(self, height: int, width: int) -> Tuple[int, int]:
        """Draw a patch ``(h, w)`` from the scale and aspect-ratio ranges."""
        scale = np.random.uniform(*self.scale_range)
        ratio = np.random.uniform(*self.aspect_ratio_range)
        patch_w = int(np.clip(round(width * scale * np.sqrt(ratio)), 1, width))
        patch_h = int(np.clip(round(height * scale / np.sqrt(ratio)), 1, height))
        return patch_h, patch_w

    def _sample_seed_patch_shape(self, height: int, width: int) -> Optional[Tuple[int, int]]:
        """Draw a patch ``(h, w)`` as the seed does, or None if its ``h / w`` is rejected."""
        patch_w = np.random.uniform(self.scale_range[0] * width, self.scale_range[1] * width)
        patch_h = np.random.uniform(self.scale_range[0] * height, self.scale_range[1] * height)
        if not self.aspect_ratio_range[0] <= patch_h / patch_w <= self.aspect_ratio_range[1]:
            return None
        return (int(np.clip(round(patch_h), 1, height)), int(np.clip(round(patch_w), 1, width)))

    def words_inside(self, polygons: Sequence[np.ndarray], box: np.ndarray) -> int:
        """How many ``polygons`` have more than ``inside_thr`` of their bounding box in ``box``.

        Args:
            polygons (Sequence[np.ndarray]): The (cared) words.
            box (np.ndarray): ``[x1, y1, x2, y2]``.

        Returns:
            int: The count (a word without area never counts).
        """
        if not polygons:
            return 0
        bboxes = polygons_to_bboxes(polygons).astype(np.float64)
        inter_w = np.clip(
            np.minimum(bboxes[:, 2], box[2]) - np.maximum(bboxes[:, 0], box[0]), 0, None)
        inter_h = np.clip(
            np.minimum(bboxes[:, 3], box[3]) - np.maximum(bboxes[:, 1], box[1]), 0, None)
        areas = (bboxes[:, 2] - bboxes[:, 0]) * (bboxes[:, 3] - bboxes[:, 1])
        inside = np.divide(inter_w * inter_h, areas, out=np.zeros_like(areas), where=areas > 0)
        return int((inside > self.inside_thr).sum())

    def _sample_word_count_box(self, height: int, width: int,
                               cared: Sequence[np.ndarray]) -> np.ndarray:
        """The seed's modes: a patch with more than ``k`` cared words inside."""
        whole = np.array([0, 0, width, height], dtype=np.int64)
        min_words = self.min_words_inside[np.random.randint(len(self.min_words_inside))]
        if min_words is None or not cared:
            return whole
        for _ in range(self.max_trials):
            shape = self._sample_seed_patch_shape(height, width)
            if shape is None:
                continue
            patch_h, patch_w = shape
            x1 = np.random.randint(width - patch_w + 1)
            y1 = np.random.randint(height - patch_h + 1)
            box = np.array([x1, y1, x1 + patch_w, y1 + patch_h], dtype=np.int64)
            if self.words_inside(cared, box) > min_words:
                return box
        return whole

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
        cared = [p for p, ign in zip(polygons, ignored) if not ign]
        if self.min_words_inside is not None:
            return self._sample_word_count_box(height, width, cared)
        whole = np.array([0, 0, width, height], dtype=np.int64)
        min_overlap = self.min_overlaps[np.random.randint(len(self.min_overlaps))]
        if min_overlap is None:
            return whole
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

        clipped, kept = crop_polygons(polygons, box)
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
        repr_str += f"cut_word_mode='{self.cut_word_mode}', "
        repr_str += f'min_words_inside={self.min_words_inside}, '
        repr_str += f'inside_thr={self.inside_thr})'

        return repr_str
