# Copyright (c) textboxes_retina authors.
from typing import List, Tuple

import torch
from mmdet.models.test_time_augs import DetTTAModel
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample
from torch import Tensor

from textboxes_retina.structures import (check_quad_nms_cfg, clip_quads, flip_quads,
                                         quad_box_voting, quad_nms, quad_short_sides, stack_quads)


def _factor_pair(scale_factor) -> Tuple[float, float]:
    """``(w, h)`` of a ``Resize`` ``scale_factor``: a number, or a ``(w, h)`` pair, as mmcv
    takes it."""
    if isinstance(scale_factor, (int, float)):
        return float(scale_factor), float(scale_factor)
    assert isinstance(scale_factor, (tuple, list)) and len(scale_factor) == 2, \
        f'tta_cfg.size_limits: scale_factor must be a number or a (w, h) pair, ' \
        f'got {scale_factor!r}'
    return float(scale_factor[0]), float(scale_factor[1])


@MODELS.register_module()
class QuadTTAModel(DetTTAModel):
    """Merge quad detections of multi-scale and flipped views of an image.

    mmdet's :class:`DetTTAModel` for quadrilateral text: each view's
    predictions (``pred_instances.polygons`` and ``scores``, in original-image
    coordinates, as :class:`~textboxes_retina.models.detectors.TextBoxesRetina`
    gives them with either head) are

    1. kept only within the view's size limits, if any (RefineDet's rule:
       up-scaled views keep small words, down-scaled views large ones);
    2. flipped back when the view was flipped, restoring the canonical
       vertex order (:func:`~textboxes_retina.structures.flip_quads`);
    3. merged over all views by exact quad NMS
       (:func:`~textboxes_retina.structures.quad_nms`) or by quad box voting
       (:func:`~textboxes_retina.structures.quad_box_voting`, whose groups are
       the NMS's own), keeping ``max_per_img``.

    Used by ``tools/test.py --tta`` with the config's ``tta_model`` and
    ``tta_pipeline`` (pack ``flip``, ``flip_direction`` and, for size limits,
    ``scale`` or ``scale_factor`` in the meta keys).

    Args:
        tta_cfg (dict): Merging settings:

            - ``nms`` (dict): ``dict(type='quad_nms', iou_threshold=...)``: the quad NMS
              (or voting) and its threshold; another ``type`` is refused.
            - ``max_per_img`` (int): Detections kept per image.
            - ``merge`` (str): ``'nms'`` or ``'voting'``. Defaults to
              ``'nms'``.
            - ``size_limits`` (list[dict], optional): Per test scale,
              ``dict(scale=(w, h), min_size=None, max_size=None)``: a view
              resized to ``scale`` (its ``scale`` meta) keeps the quads
              whose size (:func:`~textboxes_retina.structures.quad_short_sides`,
              original-image pixels)
              is within ``[min_size, max_size]``; views of other scales are
              not limited. For views resized by a factor (``Resize(scale_factor=f,
              keep_ratio=True)``, images tested at their own size), name the
              factor instead: ``dict(scale_factor=f, ...)`` (a number or a
              ``(w, h)`` pair, as ``Resize`` takes it) limits the views
              whose ``scale_factor`` meta is ``f`` within a pixel of the
              original image's width and height (mmcv's ``Resize`` rounds the
              view's size). Defaults to None.
        **kwargs: Arguments of :class:`BaseTTAModel` (``module``,
            ``data_preprocessor``).
    """

    MERGE_MODES = ('nms', 'voting')

    def __init__(self, tta_cfg: dict, **kwargs) -> None:
        super().__init__(tta_cfg=tta_cfg, **kwargs)
        check_quad_nms_cfg(tta_cfg.get('nms'), 'tta_cfg')
        self.merge = tta_cfg.get('merge', 'nms')
        assert self.merge in self.MERGE_MODES, \
            f'tta_cfg.merge must be one of {self.MERGE_MODES}, got ' \
            f'{self.merge!r}'
        self.size_limits, self.factor_limits = {}, {}
        for limit in tta_cfg.get('size_limits') or ():
            assert ('scale' in limit) != ('scale_factor' in limit), \
                f'tta_cfg.size_limits: each limit names either `scale` or `scale_factor`, ' \
                f'got {dict(limit)}'
            sizes = (limit.get('min_size'), limit.get('max_size'))
            if 'scale' in limit:
                self.size_limits[tuple(limit['scale'])] = sizes
            else:
                self.factor_limits[_factor_pair(limit['scale_factor'])] = sizes

    def merge_aug_bboxes(self, aug_bboxes: List[Tensor], aug_scores: List[Tensor],
                         img_metas: List[dict]) -> Tuple[Tensor, Tensor]:
        """Flip each view's quads back and concatenate them.

        Args:
            aug_bboxes (list[Tensor]): Quads of each view in its original
                image coordinates, shape (N_i, 8).
            aug_scores (list[Tensor]): Scores of each view, shape (N_i, ).
            img_metas (list[dict]): Meta info of each view (``ori_shape``,
                ``flip``, ``flip_direction``).

        Returns:
            tuple[Tensor]: Quads, shape (N, 8), and scores, shape (N, ).
        """
        recovered = [
            flip_quads(quads, meta['ori_shape'], meta['flip_direction'])
            if meta.get('flip', False) else quads for quads, meta in zip(aug_bboxes, img_metas)
        ]
        return torch.cat(recovered), torch.cat(aug_scores)

    def _merge_single_sample(self, data_samples: List[TextDetDataSample]) -> TextDetDataSample:
        """Merge the views of one image into one prediction.

        Args:
            data_samples (list[TextDetDataSample]): One sample per view, with
                ``pred_instances``.

        Returns:
            TextDetDataSample: The first view's sample with the merged
            ``pred_instances`` (``polygons``, ``scores``, ``labels``,
            ``bboxes``, as the detector writes them), clipped to
            ``ori_shape``.
        """
        views = [self._limit_sizes(sample) for sample in data_samples]
        quads, scores = self.merge_aug_bboxes([view.bboxes for view in views],
                                              [view.scores for view in views],
                                              [sample.metainfo for sample in data_samples])
        labels = torch.cat([view.labels for view in views])
        merged = self._merge(quads, scores, labels)
        # votes of quads inside the image may round just outside it
        merged.bboxes = clip_quads(merged.bboxes, data_samples[0].metainfo['ori_shape'])
        return self.module.add_pred_to_datasample(data_samples[:1], [merged])[0]

    def _limit_sizes(self, data_sample: TextDetDataSample) -> InstanceData:
        """A view's predictions as ``bboxes`` (quads, (N, 8)), ``scores`` and
        ``labels``, within the view's size limits."""
        pred = data_sample.pred_instances
        scores = pred.scores
        view = InstanceData(
            bboxes=torch.from_numpy(stack_quads(pred.polygons)).to(scores.device),
            scores=scores,
            labels=pred.get('labels',
                            torch.zeros_like(scores).long()))
        if not (self.size_limits or self.factor_limits):
            return view
        min_size, max_size = self._view_limits(data_sample)
        sizes = quad_short_sides(view.bboxes)
        keep = torch.ones_like(sizes, dtype=torch.bool)
        if min_size is not None:
            keep &= sizes >= min_size
        if max_size is not None:
            keep &= sizes <= max_size
        return view[keep]

    def _view_limits(self, data_sample: TextDetDataSample) -> tuple:
        """``(min_size, max_size)`` of a view: by its ``scale`` meta, or by its
        ``scale_factor`` meta (a limit's factor within a pixel of the original width and
        height: the resized view's size is rounded)."""
        if self.size_limits:
            assert 'scale' in data_sample, \
                'size_limits need the `scale` meta key: add it to meta_keys ' \
                'of PackTextDetInputs in the tta_pipeline'
            if tuple(data_sample.scale) in self.size_limits:
                return self.size_limits[tuple(data_sample.scale)]
        if self.factor_limits:
            assert 'scale_factor' in data_sample, \
                'size_limits by scale_factor need the `scale_factor` meta key: add it ' \
                'to meta_keys of PackTextDetInputs in the tta_pipeline'
            factor_w, factor_h = data_sample.scale_factor
            height, width = data_sample.ori_shape[:2]
            for (limit_w, limit_h), sizes in self.factor_limits.items():
                if abs(factor_w - limit_w) <= 1 / width and abs(factor_h - limit_h) <= 1 / height:
                    return sizes
        return None, None

    def _merge(self, quads: Tensor, scores: Tensor, labels: Tensor) -> InstanceData:
        """Quad NMS or box voting over all views' detections.

        Returns:
            InstanceData: ``bboxes`` (quads, (K, 8)), ``scores``, ``labels``
            by decreasing score, ``K <= max_per_img``.
        """
        iou_threshold = self.tta_cfg['nms']['iou_threshold']
        if self.merge == 'voting':
            quads, scores, keep = quad_box_voting(quads, scores, iou_threshold, labels)
        else:
            keep = quad_nms(quads, scores, iou_threshold, labels)
            quads, scores = quads[keep], scores[keep]
        top = slice(0, self.tta_cfg['max_per_img'])
        return InstanceData(bboxes=quads[top], scores=scores[top], labels=labels[keep][top])
