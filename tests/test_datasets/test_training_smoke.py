"""The data pipeline feeds the detector: a training run on generated text starts and its loss goes
down.

Eight images from ``tools/make_synthetic_dataset.py`` go through the synthetic dataset base
(``ICDAR2015Dataset``, photometric distortion, ``QuadRandomCrop``, resize) and the small model's
``DetDataPreprocessor`` into ``TextBoxesRetina``, run by mmengine's ``Runner`` from the demo's
leaf config. The loss is measured on one fixed batch of the pipeline before and after training,
so that the random crops of the training batches do not blur the comparison.
"""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.runner import Runner

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIG = osp.join(ROOT, 'configs', 'textboxes_retina',
                  'textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py')


@pytest.fixture(scope='module')
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp('smoke_data')
    subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'make_synthetic_dataset.py'), '--out-dir',
        str(out), '--num-images', '8', '--img-size', '160', '224', '--seed', '0', '--style',
        'hershey', '--no-progress'
    ],
                   check=True,
                   capture_output=True)
    return out / 'train'


def smoke_config(data_root, work_dir, iterations, batch_size=4, input_size=128):
    """The demo config on ``data_root``: small inputs, no validation, constant learning rate."""
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(work_dir)
    cfg.train_dataloader.update(batch_size=batch_size, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.data_root = str(data_root)
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform['type'] == 'Resize':
            transform['scale'] = (input_size, input_size)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.train_cfg.update(max_iters=iterations, val_interval=10 * iterations)
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
    cfg.default_hooks.checkpoint.update(interval=10 * iterations, save_last=False)
    cfg.randomness = dict(seed=0)
    cfg.log_level = 'WARNING'
    return cfg


class FixedBatchLoss(Hook):
    """Records the loss of the same pipeline batch before and after training."""

    def __init__(self):
        self.losses = []

    def _measure(self, runner):
        dataset = runner.train_dataloader.dataset
        np.random.seed(123)  # the same crops and colours both times
        batch = pseudo_collate([dataset[i] for i in range(len(dataset))])
        model = runner.model
        with torch.no_grad():
            data = model.data_preprocessor(batch, False)
            _, log_vars = model.parse_losses(model.loss(data['inputs'], data['data_samples']))
        self.losses.append({name: float(value) for name, value in log_vars.items()})

    def before_train(self, runner):
        self._measure(runner)

    def after_train(self, runner):
        self._measure(runner)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_training_on_generated_data_lowers_the_loss(generated, tmp_path):
    iterations = 20
    runner = Runner.from_cfg(smoke_config(generated, tmp_path / 'work', iterations))
    probe = FixedBatchLoss()
    runner.register_hook(probe)
    runner.train()
    losses, _ = runner.message_hub.get_scalar('train/loss').data
    assert len(losses) == iterations and np.isfinite(losses).all()
    before, after = probe.losses
    assert set(before) == {'loss', 'loss_cls', 'loss_bbox'}
    assert after['loss'] < 0.9 * before['loss'], probe.losses
    assert after['loss_cls'] < 0.7 * before['loss_cls'], probe.losses


def test_multi_scale_batches_reach_the_detector(generated, tmp_path):
    cfg = smoke_config(generated, tmp_path / 'work', iterations=2, batch_size=2)
    cfg.model.data_preprocessor.batch_augments = [
        dict(type='BatchSyncQuadRandomResize', random_size_range=(256, 256), interval=1)
    ]
    runner = Runner.from_cfg(cfg)
    sizes = []
    runner.model.backbone.register_forward_pre_hook(
        lambda module, args: sizes.append(tuple(args[0].shape[-2:])))
    runner.train()
    losses, _ = runner.message_hub.get_scalar('train/loss').data
    assert len(losses) == 2 and np.isfinite(losses).all()
    assert sizes == [(128, 128), (256, 256)]  # iteration 1 ran on the resized batch
