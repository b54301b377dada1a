# Copyright (c) textboxes_retina authors.
"""Draw predictions, ground truth and don't-care words on validation and test images."""
import os
import os.path as osp
from typing import Optional, Sequence

import mmcv
import mmengine.fileio as fileio
import numpy as np
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmocr.registry import HOOKS

from ...evaluation.metrics import text_det_sample_arrays
from ...visualization import GT_COLOR, IGNORED_COLOR, PRED_COLOR, Color, draw_text_det_sample


@HOOKS.register_module()
class QuadVisualizationHook(Hook):
    """Overlay quads on images: predictions in red, ground truth in green, don't care in yellow.

    - Validation: the first ``num_val_images`` images of every validation run (the same images
      each time, so runs compare) go to the runner's visualiser backends (``LocalVisBackend``
      image files, ``TensorboardVisBackend`` events, ...) as ``val_<image stem>`` at the
      current training iteration.
    - Test: with ``test_out_dir`` set, every image is written to
      ``test_out_dir/<image stem>.jpg`` (``tools/test.py --show-dir``); with ``show``, shown in
      a window.

    Quads are drawn by :func:`textboxes_retina.visualization.draw_text_det_sample` (the drawing
    ``tools/infer.py`` and ``browse_dataset.py`` share); the runner's visualiser (any
    ``mmengine.visualization.Visualizer``, e.g. MMOCR's ``TextDetLocalVisualizer``) only
    stores or shows the drawn images. Predictions are drawn from ``pred_instances``
    (``polygons``, ``scores >= score_thr``), the ground truth from ``gt_instances``
    (``polygons``, ``ignored``) of the model outputs.

    Args:
        enable (bool): Draw at all. Defaults to True.
        num_val_images (int): Images drawn per validation run. Defaults to 4.
        score_thr (float): Predictions with ``score >= score_thr`` are drawn. Defaults to 0.4.
        draw_gt (bool): Draw the ground truth and don't-care words. Defaults to True.
        draw_pred (bool): Draw the predictions. Defaults to True.
        test_out_dir (str, optional): Folder for every test image. Defaults to None.
        show (bool): Show test images in a window. Defaults to False.
        wait_time (float): Seconds each shown image stays. Defaults to 0.
        pred_color (tuple): RGB of predictions. Defaults to red ``(255, 0, 0)``.
        gt_color (tuple): RGB of cared-for ground truth. Defaults to green ``(0, 255, 0)``.
        ignored_color (tuple): RGB of don't-care ground truth. Defaults to yellow
            ``(255, 255, 0)``.
        line_width (int): Outline width in pixels. Defaults to 2.
        backend_args (dict, optional): File backend arguments to read images.
            Defaults to None.
    """
    priority = 'NORMAL'

    def __init__(self,
                 enable: bool = True,
                 num_val_images: int = 4,
                 score_thr: float = 0.4,
                 draw_gt: bool = True,
                 draw_pred: bool = True,
                 test_out_dir: Optional[str] = None,
                 show: bool = False,
                 wait_time: float = 0.,
                 pred_color: Color = PRED_COLOR,
                 gt_color: Color = GT_COLOR,
                 ignored_color: Color = IGNORED_COLOR,
                 line_width: int = 2,
                 backend_args: Optional[dict] = None) -> None:
        self.enable = enable
        self.num_val_images = num_val_images
        self.score_thr = score_thr
        self.draw_gt = draw_gt
        self.draw_pred = draw_pred
        self.test_out_dir = test_out_dir
        self.show = show
        self.wait_time = wait_time
        self.pred_color = tuple(pred_color)
        self.gt_color = tuple(gt_color)
        self.ignored_color = tuple(ignored_color)
        self.line_width = line_width
        self.backend_args = backend_args
        self._num_val_drawn = 0

    def draw_sample(self, image: np.ndarray, data_sample) -> np.ndarray:
        """Overlay one sample's quads on its image
        (:func:`textboxes_retina.visualization.draw_text_det_sample`).

        Args:
            image (np.ndarray): RGB image ``(H, W, 3)``.
            data_sample (TextDetDataSample | dict): Model output with annotations.

        Returns:
            np.ndarray: The drawn RGB image ``(H, W, 3)``.
        """
        return draw_text_det_sample(
            image,
            data_sample,
            score_thr=self.score_thr,
            draw_gt=self.draw_gt,
            draw_pred=self.draw_pred,
            pred_color=self.pred_color,
            gt_color=self.gt_color,
            ignored_color=self.ignored_color,
            line_width=self.line_width)

    def _read_image(self, data_sample) -> np.ndarray:
        img_bytes = fileio.get(data_sample.get('img_path'), backend_args=self.backend_args)
        return mmcv.imfrombytes(img_bytes, channel_order='rgb')

    def before_val_epoch(self, runner: Runner) -> None:
        """Start counting the images drawn in this validation run."""
        self._num_val_drawn = 0

    def after_val_iter(self,
                       runner: Runner,
                       batch_idx: int,
                       data_batch: dict = None,
                       outputs: Optional[Sequence] = None) -> None:
        """Send the first ``num_val_images`` images of the run to the visualiser backends."""
        if not self.enable or not outputs:
            return
        for output in outputs:
            if self._num_val_drawn >= self.num_val_images:
                return
            image = self.draw_sample(self._read_image(output), output)
            name = text_det_sample_arrays(output)['name']
            runner.visualizer.add_image(f'val_{name}', image, step=runner.iter)
            self._num_val_drawn += 1

    def after_test_iter(self,
                        runner: Runner,
                        batch_idx: int,
                        data_batch: dict = None,
                        outputs: Optional[Sequence] = None) -> None:
        """Write (or show) every test image."""
        if not self.enable or not outputs or (self.test_out_dir is None and not self.show):
            return
        for output in outputs:
            image = self.draw_sample(self._read_image(output), output)
            name = text_det_sample_arrays(output)['name']
            if self.show:
                runner.visualizer.show(image, win_name=name, wait_time=self.wait_time)
            if self.test_out_dir is not None:
                os.makedirs(self.test_out_dir, exist_ok=True)
                mmcv.imwrite(image[..., ::-1], osp.join(self.test_out_dir, f'{name}.jpg'))
