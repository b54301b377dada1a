"""Small detectors whose scores spread over (0, 1), for the deployment and ONNX tool tests."""
import os.path as osp

import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SMALL_CONFIG = osp.join(REPO_ROOT, 'configs', 'textboxes_retina',
                        'textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py')
REFINE_SMALL_CONFIG = osp.join(REPO_ROOT, 'configs', 'refine_textboxes',
                               'refine_textboxes_r18-small_1xb8-adam-2k_synthetic.py')


def build_spread_detector(config: str, seed: int = 0):
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
