"""The faithful architecture learns: the full SE-ResNet50 C2-P7 model overfits drawn images.

The model is the GroupNorm ablation's step-1 config as shipped (SE-ResNet50 with frozen stem and
stage 1, FPN P2..P7, 14 anchors a location on 6 levels, 256-channel 4-conv towers, 12-d
``QuadDeltaCoder``), its backbone initialised through the config's ``init_cfg`` from a stand-in
of the ImageNet file (random weights in our names: nothing downloads here). A plain Adam loop over
``model.loss`` trains it on drawn words (the ``drawn_text`` fixture); the package's
``IC15HmeanMetric`` scores ``model.test_step`` on the same images.
"""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

import textboxes_retina  # noqa: F401  (registers the modules)
from textboxes_retina.models.backbones import SEResNet

CONFIG = (
    Path(__file__).parents[2] / 'configs/textboxes_retina/ablations/'
    'textboxes_retina_se-r50-gn_fpn-c2_8xb2-608-100k_synthtext.py')
# Two 128 x 128 images with big words (one rotated): the stride-4 to stride-32 anchors all see text.
IMAGES = [
    [('TEXT', (64, 40), 1.3, 0), ('BOX', (60, 96), 1.1, 12)],
    [('RETINA', (64, 64), 1.0, -8)],
]
MAX_ITERATIONS, EVAL_FROM, EVAL_EVERY, LR = 60, 10, 5, 1e-4  # hmean 1.0 after 10 (measured)


def _hmean(model, data):
    model.eval()
    with torch.no_grad():
        outputs = model.test_step(data)
    with DefaultScope.overwrite_default_scope('mmocr'):
        evaluator = Evaluator(dict(type='IC15HmeanMetric', score_thr=0.4))
    evaluator.process(data_samples=outputs, data_batch=data)
    return evaluator.evaluate(len(outputs))['ic15/hmean']


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_se_resnet50_c2_p7_overfits_drawn_images(tmp_path, drawn_text):
    # One thread: on a busy machine two threads spend their time waiting for each other.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _overfit(tmp_path, drawn_text)
    finally:
        torch.set_num_threads(threads)


def _overfit(tmp_path, drawn_text):
    torch.manual_seed(0)
    # stand-in ImageNet file: SEResNet50 with Cadene's architecture, live init, in our names
    imagenet = SEResNet(
        depth=50,
        style='caffe',
        stem_pool='caffe',
        zero_init_residual=False,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False)
    imagenet.init_weights()
    torch.save(
        dict(state_dict=imagenet.state_dict(), meta=dict(se_resnet_family='cadene')),
        tmp_path / 'imagenet.pth')
    cfg = Config.fromfile(str(CONFIG)).model
    cfg.backbone.init_cfg.checkpoint = str(tmp_path / 'imagenet.pth')
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg)
    model.init_weights()
    head = model.bbox_head
    assert model.neck.num_outs == 6 and head.prior_generator.num_base_priors == [14] * 6
    assert head.feat_channels == 256 and head.bbox_coder.encode_size == 12
    assert type(model.backbone.layer1[0].norm3).__name__ == 'GroupNorm'

    data = drawn_text.pack(IMAGES, 128, 128)
    assert _hmean(model, data) < 0.5
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=LR)
    run = drawn_text.overfit(model, data, optimizer, _hmean, MAX_ITERATIONS, EVAL_FROM, EVAL_EVERY)
    print(f"hmean {run['score']:.4f} after {run['iterations']} iterations: {run['wall']:.1f} s "
          f"wall, {run['cpu']:.1f} s CPU, loss {run['first_loss']:.3f} -> {run['loss']:.3f}")
    assert run['score'] >= 0.9, (f"hmean {run['score']:.3f} after {run['iterations']} "
                                 f"iterations, {run['wall']:.0f} s")
    assert run['loss'] < 0.5 * run['first_loss']
