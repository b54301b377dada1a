"""DBProbMapLoss: DB's probability-map targets and loss, against values worked by hand.

One 60 x 100 image in a 64 x 128 padded batch, three polygons:

- A, legible, the rectangle x 10..50, y 10..30: area 800, perimeter 120, DB's shrink distance
  int(800 * (1 - 0.4^2) / 120 + 0.5) = int(6.1) = 6, so its kernel is x 16..44, y 16..24
  (cv2.fillPoly fills the border pixels: 29 x 9 = 261 pixels);
- B, ignored, x 60..90, y 10..30: masked out (31 x 21 pixels);
- C, legible but 3 px high (under ``min_sidelength=4``), x 60..90, y 40..43: masked out too
  (31 x 4 pixels), without being marked ignored in the sample;
- the padding (y >= 60 or x >= 100) is masked out.

The mask then keeps 6000 - 651 - 124 = 5225 pixels. A map of 0.5 everywhere costs ln 2 per
pixel in the balanced BCE (weight 5: 3.4657359) and a Dice loss of
1 - 2 * 0.5 * 261 / (0.5 * 5225 + 261) = 1 - 261 / 2873.5 = 0.9091700.
"""
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample


def _rect(x0, y0, x1, y1):
    return np.array([x0, y0, x1, y0, x1, y1, x0, y1], dtype=np.float32)


def _sample():
    sample = TextDetDataSample(metainfo=dict(img_shape=(60, 100)))
    sample.gt_instances = InstanceData(
        polygons=[_rect(10, 10, 50, 30),
                  _rect(60, 10, 90, 30),
                  _rect(60, 40, 90, 43)],
        ignored=torch.tensor([False, True, False]))
    return sample


def _by_hand():
    kernel = torch.zeros(64, 128)
    kernel[16:25, 16:45] = 1
    mask = torch.zeros(64, 128)
    mask[:60, :100] = 1
    mask[10:31, 60:91] = 0
    mask[40:44, 60:91] = 0
    return kernel, mask


@pytest.mark.timeout(30)
def test_targets_are_the_shrunk_legible_polygons_with_ignored_small_and_padding_masked():
    loss = MODELS.build(dict(type='DBProbMapLoss'))
    sample = _sample()
    kernels, masks = loss.get_targets([sample], (64, 128))
    kernel, mask = _by_hand()
    assert kernels.shape == masks.shape == (1, 64, 128)
    torch.testing.assert_close(kernels[0], kernel)
    torch.testing.assert_close(masks[0], mask)
    assert int(mask.sum()) == 5225
    # the sample's own flags are left alone (the head's loss reads them after this one)
    assert sample.gt_instances.ignored.tolist() == [False, True, False]


@pytest.mark.timeout(30)
def test_loss_values_by_hand_and_gradient():
    loss = MODELS.build(dict(type='DBProbMapLoss'))
    kernel, _ = _by_hand()
    perfect = loss(kernel[None, None].clone(), [_sample()])
    assert perfect['loss_map_prob'].item() == pytest.approx(0, abs=1e-6)
    assert perfect['loss_map_dice'].item() == pytest.approx(0, abs=1e-6)

    prob = torch.full((1, 1, 64, 128), 0.5, requires_grad=True)
    losses = loss(prob, [_sample()])
    assert losses['loss_map_prob'].item() == pytest.approx(5 * np.log(2), rel=1e-5)
    assert losses['loss_map_dice'].item() == pytest.approx(1 - 261 / 2873.5, rel=1e-5)
    sum(losses.values()).backward()
    grad = prob.grad[0, 0]
    assert (grad[16:25, 16:45] < 0).all()  # raise the kernel
    _, mask = _by_hand()
    assert (grad[mask == 0] == 0).all()  # nothing learned where masked


@pytest.mark.timeout(30)
def test_refuses_a_map_of_several_channels_and_an_image_larger_than_the_map():
    loss = MODELS.build(dict(type='DBProbMapLoss'))
    with pytest.raises(ValueError, match='one map channel'):
        loss(torch.zeros(1, 2, 64, 128), [_sample()])
    with pytest.raises(ValueError, match='exceeds the map size'):
        loss(torch.zeros(1, 1, 32, 128), [_sample()])


@pytest.mark.timeout(30)
def test_a_polygon_with_a_non_finite_coordinate_draws_nothing():
    """Hostile ground truth: the targets are those of the sample without the bad polygon (cast
    to int, a NaN would draw a kernel or a masked region at arbitrary pixels)."""
    loss = MODELS.build(dict(type='DBProbMapLoss'))
    sample = _sample()
    bad = _rect(20, 35, 40, 55)
    bad[2] = np.nan
    worse = _rect(0, 0, 30, 30)
    worse[5] = np.inf
    sample.gt_instances = InstanceData(
        polygons=list(sample.gt_instances.polygons) + [bad, worse],
        ignored=torch.tensor([False, True, False, False, True]))
    kernels, masks = loss.get_targets([sample], (64, 128))
    kernel, mask = _by_hand()
    torch.testing.assert_close(kernels[0], kernel)
    torch.testing.assert_close(masks[0], mask)
