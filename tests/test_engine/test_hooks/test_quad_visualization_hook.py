"""QuadVisualizationHook: a tiny validation run writes image files (local backend) and a
TensorBoard event file; test images go to ``test_out_dir``; colours mark pred / gt / don't care.
"""
import glob
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.structures import InstanceData
from mmengine.visualization import Visualizer
from mmocr.structures import TextDetDataSample

from textboxes_retina.engine.hooks import QuadVisualizationHook

RED, GREEN, YELLOW = (255, 0, 0), (0, 255, 0), (255, 255, 0)


def _sample(img_path):
    """Gt word [20,80]x[20,40] (green), don't-care [100,160]x[20,40] (yellow), predictions
    [20,80]x[60,90] at 0.9 (red) and [100,160]x[60,90] at 0.1 (below the threshold)."""
    sample = TextDetDataSample(metainfo=dict(img_path=img_path))
    gt = InstanceData()
    gt.polygons = [
        np.array([20, 20, 80, 20, 80, 40, 20, 40], np.float32),
        np.array([100, 20, 160, 20, 160, 40, 100, 40], np.float32)
    ]
    gt.ignored = torch.tensor([False, True])
    pred = InstanceData()
    pred.polygons = [
        np.array([20, 60, 80, 60, 80, 90, 20, 90], np.float32),
        np.array([100, 60, 160, 60, 160, 90, 100, 90], np.float32)
    ]
    pred.scores = torch.tensor([0.9, 0.1])
    sample.gt_instances, sample.pred_instances = gt, pred
    return sample


def _count(image_rgb, color, region=None, tolerance=60):
    """Pixels within ``tolerance`` (per channel) of ``color``, optionally in a (y, x) slice."""
    image = image_rgb if region is None else image_rgb[region]
    return int(np.all(np.abs(image.astype(int) - color) <= tolerance, axis=-1).sum())


@pytest.fixture
def gray_images(tmp_path):
    """Three uniform gray images, so every saturated colour comes from the drawing."""
    (tmp_path / 'imgs').mkdir()
    paths = [str(tmp_path / 'imgs' / f'img_{index + 1}.png') for index in range(3)]
    for path in paths:
        cv2.imwrite(path, np.full((120, 200, 3), 128, np.uint8))
    return paths


class _EchoModel(BaseModel):
    """Returns the data samples it is given (they already carry predictions)."""

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return data_samples

    def val_step(self, data):
        return data['data_samples']

    test_step = val_step


def test_draw_sample_colours(gray_images):
    image = cv2.cvtColor(cv2.imread(gray_images[0]), cv2.COLOR_BGR2RGB)
    drawn = QuadVisualizationHook(line_width=2).draw_sample(image, _sample(gray_images[0]))
    assert drawn.shape == image.shape
    # Each outline is drawn in its region; the low-score prediction is not drawn.
    assert _count(drawn, GREEN, np.s_[15:45, 15:85]) > 50
    assert _count(drawn, YELLOW, np.s_[15:45, 95:165]) > 50
    assert _count(drawn, RED, np.s_[55:95, 15:85]) > 50
    assert _count(drawn, RED, np.s_[55:95, 95:165]) == 0
    assert _count(drawn, GREEN, np.s_[55:95, :]) == 0
    # draw_pred=False leaves predictions out; draw_gt=False leaves gt and don't care out.
    no_pred = QuadVisualizationHook(draw_pred=False).draw_sample(image, _sample(gray_images[0]))
    assert _count(no_pred, RED) == 0 and _count(no_pred, GREEN) > 50
    no_gt = QuadVisualizationHook(draw_gt=False).draw_sample(image, _sample(gray_images[0]))
    assert _count(no_gt, GREEN) == 0 and _count(no_gt, YELLOW) == 0 and _count(no_gt, RED) > 50


def test_validation_writes_a_few_images_to_local_and_tensorboard(tmp_path, gray_images):
    dataset = [dict(inputs=torch.zeros(1), data_samples=_sample(path)) for path in gray_images]
    with DefaultScope.overwrite_default_scope('mmocr'):
        runner = Runner(
            model=_EchoModel(),
            work_dir=str(tmp_path / 'work'),
            val_dataloader=dict(
                dataset=dataset,
                batch_size=2,
                collate_fn=dict(type='pseudo_collate'),
                sampler=dict(type='DefaultSampler', shuffle=False)),
            val_cfg=dict(type='ValLoop'),
            val_evaluator=dict(type='IC15HmeanMetric'),
            default_hooks=dict(visualization=dict(type='QuadVisualizationHook', num_val_images=2)),
            visualizer=dict(
                type='Visualizer',
                name='val_vis_test',
                vis_backends=[dict(type='LocalVisBackend'),
                              dict(type='TensorboardVisBackend')]),
            default_scope='mmocr')
        metrics = runner.val()
        runner.val()  # a second run draws the same two images again
    assert metrics == {'ic15/precision': 0.0, 'ic15/recall': 0.0, 'ic15/hmean': 0.0}
    files = sorted(glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' / 'vis_image' / '*.png')))
    assert [osp.basename(f) for f in files] == ['val_img_1_0.png', 'val_img_2_0.png']
    drawn = cv2.cvtColor(cv2.imread(files[0]), cv2.COLOR_BGR2RGB)
    for colour in (RED, GREEN, YELLOW):
        assert _count(drawn, colour) > 50

    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    images = {}  # tag -> number of image events, over the run's event files
    for events in glob.glob(str(tmp_path / 'work' / '*' / 'vis_data' / 'events.out.tfevents*')):
        accumulator = EventAccumulator(events)
        accumulator.Reload()
        for tag in accumulator.Tags()['images']:
            images[tag] = images.get(tag, 0) + len(accumulator.Images(tag))
    assert images == {'val_img_1': 2, 'val_img_2': 2}  # two images, once per validation run


def test_test_mode_writes_every_image_to_test_out_dir(tmp_path, gray_images):
    runner = SimpleNamespace(visualizer=Visualizer(name='test_out_dir_test'), iter=0)
    out_dir = tmp_path / 'show'
    hook = QuadVisualizationHook(test_out_dir=str(out_dir))
    for batch_idx, path in enumerate(gray_images):
        hook.after_test_iter(runner, batch_idx, {}, [_sample(path)])
    assert sorted(p.name for p in out_dir.iterdir()) == ['img_1.jpg', 'img_2.jpg', 'img_3.jpg']
    drawn = cv2.cvtColor(cv2.imread(str(out_dir / 'img_2.jpg')), cv2.COLOR_BGR2RGB)
    assert drawn.shape == (120, 200, 3)
    for colour in (RED, GREEN, YELLOW):
        assert _count(drawn, colour, tolerance=70) > 30
    # Without test_out_dir (or when disabled) testing draws nothing.
    silent = tmp_path / 'silent'
    QuadVisualizationHook().after_test_iter(runner, 0, {}, [_sample(gray_images[0])])
    QuadVisualizationHook(
        enable=False, test_out_dir=str(silent)).after_test_iter(runner, 0, {},
                                                                [_sample(gray_images[0])])
    assert not silent.exists()
