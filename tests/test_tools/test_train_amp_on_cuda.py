"""``tools/train.py --amp`` on a GPU keeps the non-finite guard (mmengine's AMP wrapper needs a
GPU, so these run only where CUDA exists: tools/gpu_check.sh)."""
import copy

import numpy as np
import pytest
import torch
from mmengine.optim import AmpOptimWrapper, build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample

SMALL_CONFIG = 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'
pytestmark = pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason="needs a CUDA GPU: mmengine's AmpOptimWrapper refuses the CPU (tools/gpu_check.sh)")


def _model_and_wrapper(train_tool, repo_root, on_non_finite):
    args = train_tool.parse_args([
        f'{repo_root}/{SMALL_CONFIG}', '--amp', '--cfg-options',
        f'optim_wrapper.on_non_finite={on_non_finite}'
    ])
    cfg = train_tool.build_config(args)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(copy.deepcopy(cfg.model)).cuda().train()
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(optim_wrapper, AmpOptimWrapper)
    assert optim_wrapper.on_non_finite == on_non_finite
    return model, optim_wrapper


def _parameters(model):
    """Copies of the parameters (not the buffers: batch norm statistics move in any forward)."""
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def _loss(model, optim_wrapper):
    image = torch.randint(0, 255, (3, 128, 128), dtype=torch.uint8)
    sample = TextDetDataSample(
        metainfo=dict(img_shape=(128, 128), ori_shape=(128, 128), scale_factor=(1.0, 1.0)))
    sample.gt_instances = InstanceData(
        polygons=[np.array([20, 20, 90, 20, 90, 50, 20, 50], np.float32)],
        ignored=torch.tensor([False]),
        labels=torch.tensor([0]),
        bboxes=torch.tensor([[20., 20., 90., 50.]]))
    data = model.data_preprocessor(dict(inputs=[image], data_samples=[sample]), True)
    with optim_wrapper.optim_context(model):
        losses = model._run_forward(data, mode='loss')
    return model.parse_losses(losses)[0]


@pytest.mark.timeout(120)
def test_amp_guard_raises_on_a_non_finite_loss(train_tool, repo_root):
    model, optim_wrapper = _model_and_wrapper(train_tool, repo_root, 'raise')
    before = _parameters(model)
    with pytest.raises(FloatingPointError):
        optim_wrapper.update_params(_loss(model, optim_wrapper) * float('nan'))
    assert all(torch.equal(before[k], v) for k, v in _parameters(model).items())


@pytest.mark.timeout(120)
def test_amp_guard_skips_a_non_finite_loss_then_trains(train_tool, repo_root):
    model, optim_wrapper = _model_and_wrapper(train_tool, repo_root, 'skip')
    before = _parameters(model)
    optim_wrapper.update_params(_loss(model, optim_wrapper) * float('inf'))
    assert optim_wrapper.skipped_steps == 1
    assert all(torch.equal(before[k], v) for k, v in _parameters(model).items())
    # A finite loss trains; the dynamic loss scaler may skip the first steps (fp16 overflow at
    # a large scale, halving it each time), which is not a bad step of the guard.
    for _ in range(30):
        optim_wrapper.update_params(_loss(model, optim_wrapper))
        if any(not torch.equal(before[k], v) for k, v in _parameters(model).items()):
            break
    else:
        raise AssertionError('30 finite AMP steps left the weights unchanged')
    assert optim_wrapper.skipped_steps == 1
