# Copyright (c) textboxes_retina authors.
"""Shared flow of the ICDAR protocol metrics: thresholds, sweep, per-image JSON."""
import json
import os
import os.path as osp
from abc import abstractmethod
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from .text_det_sample_arrays import text_det_sample_arrays


class ICDARProtocolMetric(BaseMetric):
    """Base of :class:`IC15HmeanMetric` and :class:`IC13DetEvalMetric`: thresholds, sweep,
    per-image JSON around one protocol interface.

    ``process`` only stores each image's arrays (:func:`text_det_sample_arrays`: cheap,
    picklable for distributed collection). ``compute_metrics`` then calls the protocol through
    the three methods every subclass implements, and nothing else:

    - :meth:`prepare` ``(results) -> prepared``: the threshold-independent work (pairwise
      overlaps, don't-care flags), once for the whole dataset; ``prepared`` is whatever the
      protocol needs (IC15: flat arrays over all images; IC13: one dict per image);
    - :meth:`score_at` ``(prepared, score_thr) -> dict``: dataset ``precision``, ``recall``
      and ``hmean`` keeping the detections with ``score >= score_thr``; called for the
      reported threshold and for every threshold of the sweep, so it should be cheap;
    - :meth:`image_results` ``(prepared, score_thr) -> list[dict]``: the per-image results at
      ``score_thr`` (counts, ``precision``, ``recall``, ``hmean``, matched ``pairs`` and
      don't-care indices, detection indices counting all of the image's predictions), for the
      per-image JSON; ``score_at`` must equal the method metrics of these results.

    Detections are matched in the order the model returns them, as the official scripts read
    a submission file top to bottom.

    Reported keys: ``precision``, ``recall``, ``hmean`` at ``score_thr``. With
    ``score_thr_sweep``, extra keys ``sweep_best_thr``, ``sweep_best_precision``,
    ``sweep_best_recall`` and ``sweep_best_hmean`` name the threshold of the sweep with the best
    hmean; they are an analysis aid chosen on the evaluated data itself, never the reported
    number.

    Args:
        score_thr (float): Detections with ``score >= score_thr`` are submitted.
            Defaults to 0.4.
        score_thr_sweep (Sequence[float] | dict, optional): Extra thresholds to evaluate, as a
            list or as ``dict(start, stop, step)`` for ``np.arange``. Defaults to None.
        per_image_json (str, optional): Write per-image results at ``score_thr`` (precision,
            recall, hmean, counts, matched pairs, don't-care indices) to this JSON file.
            Defaults to None.
        collect_device (str): ``'cpu'`` or ``'gpu'``, for distributed collection.
            Defaults to 'cpu'.
        prefix (str, optional): Metric name prefix. Defaults to ``default_prefix``.
    """

    #: Protocol name used in logs and in the per-image JSON.
    protocol: str = ''

    def __init__(self,
                 score_thr: float = 0.4,
                 score_thr_sweep: Optional[Union[Sequence[float], Dict]] = None,
                 per_image_json: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.score_thr = float(score_thr)
        if isinstance(score_thr_sweep, dict):
            score_thr_sweep = np.arange(**score_thr_sweep)
        self.score_thr_sweep = (None if score_thr_sweep is None else
                                [round(float(thr), 6) for thr in score_thr_sweep])
        self.per_image_json = per_image_json

    def process(self, data_batch: Sequence[Dict], data_samples: Sequence[Dict]) -> None:
        """Store the arrays of every image of a batch (see :func:`text_det_sample_arrays`).

        Args:
            data_batch (Sequence[dict]): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs with their annotations.
        """
        for data_sample in data_samples:
            self.results.append(text_det_sample_arrays(data_sample, index=len(self.results)))

    @abstractmethod
    def prepare(self, results: List[Dict]) -> Any:
        """Threshold-independent work on the whole dataset, once.

        Args:
            results (list[dict]): Per image ``name``, ``gt_polygons`` ``(G, 8)``,
                ``gt_ignored`` ``(G,)``, ``pred_polygons`` ``(D, 8)`` and ``scores`` ``(D,)``
                (``self.results``).

        Returns:
            Any: What :meth:`score_at` and :meth:`image_results` take.
        """

    @abstractmethod
    def score_at(self, prepared: Any, score_thr: float) -> Dict[str, float]:
        """Dataset ``precision``, ``recall`` and ``hmean`` at ``score_thr``.

        Args:
            prepared (Any): Output of :meth:`prepare`.
            score_thr (float): Score threshold.

        Returns:
            dict: The metrics.
        """

    @abstractmethod
    def image_results(self, prepared: Any, score_thr: float) -> List[Dict]:
        """Per-image results with the detections scoring at least ``score_thr``.

        Args:
            prepared (Any): Output of :meth:`prepare`.
            score_thr (float): Score threshold.

        Returns:
            list[dict]: One result per image, in ``results`` order.
        """

    def evaluate_at(self, results: List[Dict], score_thr: float) -> List[Dict]:
        """Per-image results of stored images with the detections scoring at least
        ``score_thr``.

        Args:
            results (list[dict]): Stored images (``self.results``).
            score_thr (float): Score threshold.

        Returns:
            list[dict]: One result per image.
        """
        return self.image_results(self.prepare(results), score_thr)

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Precision, recall and hmean at ``score_thr`` (plus the labelled sweep, if any).

        Args:
            results (list[dict]): Stored images of the whole dataset.

        Returns:
            dict: The metrics.
        """
        logger = MMLogger.get_current_instance()
        prepared = self.prepare(results)
        metrics = self.score_at(prepared, self.score_thr)
        logger.info(f'{self.protocol} at score_thr {self.score_thr:.2f}: ' +
                    ', '.join(f'{key} {value:.4f}' for key, value in metrics.items()))
        if self.per_image_json:
            self._dump_per_image(results, self.image_results(prepared, self.score_thr), metrics)
        if self.score_thr_sweep:
            metrics.update(self._sweep(prepared, logger))
        return metrics

    def _sweep(self, prepared: Any, logger: MMLogger) -> Dict[str, float]:
        best = dict(hmean=-1.0)
        for score_thr in self.score_thr_sweep:
            sweep_metrics = self.score_at(prepared, score_thr)
            logger.info(f'[{self.protocol} threshold sweep, not the reported number] score_thr '
                        f'{score_thr:.2f}: ' + ', '.join(f'{key} {value:.4f}'
                                                         for key, value in sweep_metrics.items()))
            if sweep_metrics['hmean'] > best['hmean']:
                best = dict(sweep_metrics, thr=score_thr)
        logger.info(f'[{self.protocol} threshold sweep] best hmean {best["hmean"]:.4f} at '
                    f'score_thr {best["thr"]:.2f} (reported: score_thr {self.score_thr:.2f})')
        return {f'sweep_best_{key}': best[key] for key in ('thr', 'precision', 'recall', 'hmean')}

    def _dump_per_image(self, results: List[Dict], image_results: List[Dict],
                        metrics: Dict[str, float]) -> None:
        images = [
            dict(name=result['name'], **image_result)
            for result, image_result in zip(results, image_results)
        ]
        directory = osp.dirname(osp.abspath(self.per_image_json))
        os.makedirs(directory, exist_ok=True)
        with open(self.per_image_json, 'w') as file:
            json.dump(
                dict(
                    protocol=self.protocol,
                    score_thr=self.score_thr,
                    metrics=metrics,
                    images=images),
                file,
                indent=1)
        MMLogger.get_current_instance().info(
            f'{self.protocol} per-image results written to {self.per_image_json}')

    @staticmethod
    def kept_indices(keep: np.ndarray) -> np.ndarray:
        """Original detection indices of the kept detections, to map matches back."""
        return np.flatnonzero(np.asarray(keep, dtype=bool))
