# Copyright (c) textboxes_retina authors.
"""Tiny configs, heads and detectors of the tests, built from the repository's small configs."""
import os.path as osp
import subprocess
import sys
from typing import Tuple

import torch

from .paths import repo_path

#: The small model (ResNet-18 at 1/8 width, P3-P7) of the unit and learning tests.
SMALL_MODEL_CONFIG = repo_path('configs', '_base_', 'models', 'textboxes_retina_r18-small.py')
#: The small model trained on generated data (TextBoxesRetinaHead).
SMALL_CONFIG = repo_path('configs', 'textboxes_retina',
                         'textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py')
#: The same with the refinement head (RefineTextBoxesHead).
REFINE_SMALL_CONFIG = repo_path('configs', 'refine_textboxes',
                                'refine_textboxes_r18-small_1xb8-adam-2k_synthetic.py')
#: What ``make demo`` trains: PP-OCRv4 features and text map fine-tuned, the map by DB's loss
#: of it (``map_loss``), MapRescoredTextBoxesRetina.
DEMO_CONFIG = repo_path('configs', 'textboxes_retina',
                        'textboxes_retina_ppocrv4-det-dbft_fpn-c3_1xb4-adam_synthetic.py')


def tiny_head_cfg(**overrides) -> dict:
    """The small model's ``bbox_head`` as a plain dict, 8 channels wide with one stacked conv,
    with the model's ``train_cfg`` and ``test_cfg``; ``overrides`` replace keys (``update``, not
    a merge)."""
    from mmengine.config import Config
    model = Config.fromfile(SMALL_MODEL_CONFIG).model
    cfg = model.bbox_head.to_dict()  # plain dicts: update() replaces, not merges
    cfg.update(
        in_channels=8,
        feat_channels=8,
        stacked_convs=1,
        train_cfg=model.train_cfg.to_dict(),
        test_cfg=model.test_cfg)
    cfg.update(overrides)
    return cfg


def build_tiny_head(**overrides):
    """:func:`tiny_head_cfg` built in MMOCR's scope with seed 0, weights initialised."""
    from mmengine.registry import DefaultScope
    from mmocr.registry import MODELS
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        head = MODELS.build(tiny_head_cfg(**overrides))
    head.init_weights()
    return head


def build_spread_detector(config: str, seed: int = 0) -> Tuple[torch.nn.Module, object]:
    """The config's detector, seeded, with its classification convs redrawn so that scores
    spread over (0, 1) (the focal-loss prior puts every score near 0.01, and near-equal scores
    would make top-k and NMS ties). Returns ``(model, cfg)``, the model in eval mode."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmocr.registry import MODELS
    cfg = Config.fromfile(config)
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    head = model.bbox_head
    for name in ('retina_cls', 'arm_cls'):
        conv = getattr(head, name, None)
        if conv is not None:
            torch.nn.init.normal_(conv.weight, std=0.3)
            torch.nn.init.normal_(conv.bias, std=1.0)
    return model.eval(), cfg


def write_small_train_config(folder, max_iters: int, checkpoint_interval: int,
                             **cfg_updates) -> str:
    """Write ``folder/small_train.py``: the small config on 4 generated 192 px training images
    (``folder/data``) resized to 128 px, batch 2, no validation, seed 0, a log line and
    checkpoint every ``checkpoint_interval`` iterations; ``cfg_updates`` are set on top.

    Args:
        folder (pathlib.Path): Where the data and the config go.
        max_iters (int): Training iterations.
        checkpoint_interval (int): Iterations between checkpoints.

    Returns:
        str: The config's path.
    """
    from mmengine.config import Config
    data = folder / 'data'
    subprocess.run([
        sys.executable,
        repo_path('tools', 'make_synthetic_dataset.py'), '--out-dir',
        str(data), '--split', 'train', '--num-images', '4', '--img-size', '192', '--seed', '0',
        '--no-progress'
    ],
                   check=True,
                   capture_output=True)
    cfg = Config.fromfile(SMALL_CONFIG)
    cfg.train_dataloader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.data_root = str(data / 'train')
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform['type'] == 'Resize':
            transform['scale'] = (128, 128)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.train_cfg.update(max_iters=max_iters, val_interval=1000)
    cfg.default_hooks.checkpoint.update(interval=checkpoint_interval, max_keep_ckpts=-1)
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)
    for key, value in cfg_updates.items():
        cfg[key] = value
    path = osp.join(str(folder), 'small_train.py')
    cfg.dump(path)
    return path
