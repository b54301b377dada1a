"""PPOCRDetFeatures: the PP-OCRv4 text detector's ONNX graph converted to PyTorch.

The oracle is ONNX Runtime running the original file from the installed package, with the cut
tensors added as graph outputs (no extraction, no constant folding: not the code under test).
"""
import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch
from mmocr.registry import MODELS

from textboxes_retina.models.backbones.ppocr_det_features import (PPOCRV4_DET_NECK_TENSORS,
                                                                  PPOCRV4_DET_ONNX,
                                                                  PPOCRV4_DET_PROB_MAP,
                                                                  PPOCRDetFeatures,
                                                                  resolve_package_file)


@pytest.fixture(scope='module')
def features():
    return MODELS.build(dict(type='PPOCRDetFeatures'))


def ort_reference(names, image):
    model = onnx.load(resolve_package_file(PPOCRV4_DET_ONNX))
    for name in names:
        model.graph.output.append(onnx.helper.make_empty_tensor_value_info(name))
    session = ort.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])
    outputs = session.run(list(names) + ['sigmoid_0.tmp_0'], {'x': image})
    return outputs[:-1], outputs[-1]


def bar_image(seed):
    """``(2, 3, 96, 128)``: noise with a bright bar, so the map has text-like structure."""
    image = np.random.default_rng(seed).normal(-1, 0.3, size=(2, 3, 96, 128)).astype(np.float32)
    image[:, :, 40:60, 20:110] = 1.5
    return image


def assert_features_and_map_equal(outputs, reference, prob):
    """The three levels' features (unscaled) and the returned map are ONNX Runtime's."""
    for out, ref in zip(outputs[:3], reference):
        np.testing.assert_allclose(
            out[:, :96].numpy() / 0.1, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
    np.testing.assert_allclose(outputs[-1].numpy(), prob, atol=1e-4)


@pytest.mark.timeout(120)
def test_outputs_equal_onnxruntime(features):
    rng = np.random.default_rng(0)
    image = rng.normal(0, 1, size=(2, 3, 96, 160)).astype(np.float32)
    reference, prob = ort_reference(PPOCRV4_DET_NECK_TENSORS, image)
    with torch.no_grad():
        outputs = [out / features.out_scale for out in features(torch.from_numpy(image))]
    assert len(outputs) == 3 and features.out_scale == 0.1
    for stride, out, ref in zip((8, 16, 32), outputs, reference):
        assert out.shape == (2, 96, 96 // stride, 160 // stride) == ref.shape
        # float32 sums over ~60 layers: agree to ~1e-6 of the features' range
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
    assert prob.shape == (2, 1, 96, 160)  # the full graph ran: the cut tensors are its own


def cell_pool(prob, stride):
    """numpy: the average and the max of each ``stride x stride`` cell of ``(N, 1, H, W)``."""
    n, c, h, w = prob.shape
    cells = prob.reshape(n, c, h // stride, stride, w // stride, stride)
    return cells.mean(axis=(3, 5)), cells.max(axis=(3, 5))


@pytest.mark.timeout(120)
def test_prob_map_channels_equal_onnxruntime():
    """With ``map_tensors``, each level ends with the detector's own probability map (ONNX
    Runtime's final output) averaged and maxed over the level's cells, times ``map_scale``."""
    features = PPOCRDetFeatures(map_tensors=(PPOCRV4_DET_PROB_MAP, ), map_scale=2.0)
    rng = np.random.default_rng(1)
    # a bright bar on a dark image so the map has text-like structure, not only noise
    image = rng.normal(-1, 0.3, size=(1, 3, 128, 192)).astype(np.float32)
    image[:, :, 50:70, 30:160] = 1.5
    image[:, :, 56:64, 30:160:12] = -1.5
    reference, prob = ort_reference(PPOCRV4_DET_NECK_TENSORS, image)
    assert prob.shape == (1, 1, 128, 192) and prob.max() > 0.01
    with torch.no_grad():
        outputs = features(torch.from_numpy(image))
    for stride, out, ref in zip((8, 16, 32), outputs, reference):
        assert out.shape == (1, 98, 128 // stride, 192 // stride)
        np.testing.assert_allclose(
            out[:, :96].numpy() / 0.1, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
        avg, peak = cell_pool(prob, stride)
        np.testing.assert_allclose(out[:, 96:97].numpy(), 2.0 * avg, atol=1e-5)
        np.testing.assert_allclose(out[:, 97:98].numpy(), 2.0 * peak, atol=1e-5)


@pytest.mark.timeout(60)
def test_frozen_no_grad_and_eval_in_train_mode(features):
    assert all(not p.requires_grad for p in features.parameters())
    assert sum(p.numel() for p in features.parameters()) > 100_000
    features.train()
    assert features.training and not features.graph.training
    assert all(not m.training for m in features.graph.modules())
    x = torch.randn(1, 3, 64, 64, requires_grad=True)
    out = features(x)
    assert not any(o.requires_grad for o in out)
    # init_weights keeps the converted weights (mmengine would re-initialise convs otherwise)
    before = [p.clone() for p in features.parameters()]
    features.init_weights()
    assert all(torch.equal(a, b) for a, b in zip(before, features.parameters()))


@pytest.mark.timeout(60)
def test_errors_name_the_problem(features):
    with pytest.raises(ValueError, match='multiples of 32'):
        features(torch.zeros(1, 3, 64, 70))
    with pytest.raises(FileNotFoundError, match='requirements/demo.txt'):
        PPOCRDetFeatures(onnx_file='no_such_package_xyz:models/a.onnx')
    with pytest.raises(KeyError, match='no tensor named'):
        PPOCRDetFeatures(out_tensors=('not_a_tensor', ))


@pytest.mark.timeout(180)
def test_frozen_maps_stay_pretrained_while_the_features_fine_tune():
    """``frozen_maps=True``: the features train, the maps (pooled channels and the returned map)
    stay ONNX Runtime's even after the feature graph's weights have changed."""
    features = PPOCRDetFeatures(
        frozen=False,
        frozen_maps=True,
        map_tensors=(PPOCRV4_DET_PROB_MAP, ),
        map_scale=3.0,
        return_maps=True)
    rng = np.random.default_rng(2)
    image = rng.normal(-1, 0.3, size=(1, 3, 96, 128)).astype(np.float32)
    image[:, :, 40:60, 20:110] = 1.5
    image[:, :, 46:54, 20:110:10] = -1.5
    reference, prob = ort_reference(PPOCRV4_DET_NECK_TENSORS, image)
    assert prob.max() > 0.01

    def check_maps(outputs):  # maps in [0, 1]: to 1e-4, as the features to 1e-4 of their range
        np.testing.assert_allclose(outputs[-1].numpy(), prob, atol=1e-4)
        for stride, out in zip((8, 16, 32), outputs[:3]):
            avg, peak = cell_pool(prob, stride)
            np.testing.assert_allclose(out[:, 96:97].numpy(), 3.0 * avg, atol=1e-4)
            np.testing.assert_allclose(out[:, 97:98].numpy(), 3.0 * peak, atol=1e-4)

    features.eval()
    with torch.no_grad():
        outputs = features(torch.from_numpy(image))
    assert len(outputs) == 4
    for out, ref in zip(outputs[:3], reference):  # before training: the pretrained features
        np.testing.assert_allclose(
            out[:, :96].numpy() / 0.1, ref, rtol=1e-4, atol=1e-4 * np.abs(ref).max())
    check_maps(outputs)

    features.train()
    assert features.graph.training and not features.map_graph.training
    assert all(not m.training for m in features.map_graph.modules())
    assert all(p.requires_grad for p in features.graph.parameters())
    assert not any(p.requires_grad for p in features.map_graph.parameters())
    outputs = features(torch.from_numpy(image))
    assert all(out.requires_grad for out in outputs[:3]) and not outputs[-1].requires_grad
    sum(out[:, :96].square().mean() for out in outputs[:3]).backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in features.graph.parameters())
    with torch.no_grad():  # a large step: the feature graph is no longer the pretrained one
        for p in features.graph.parameters():
            if p.grad is not None:
                p -= 0.1 * p.grad.sign() * p.abs().mean()
    features.eval()
    with torch.no_grad():
        outputs = features(torch.from_numpy(image))
    moved = np.abs(outputs[0][:, :96].numpy() / 0.1 - reference[0]).max()
    assert moved > 1e-2 * np.abs(reference[0]).max()
    check_maps(outputs)


@pytest.mark.timeout(60)
def test_frozen_maps_needs_a_trainable_graph_and_maps():
    with pytest.raises(ValueError, match='frozen=False'):
        PPOCRDetFeatures(frozen=True, frozen_maps=True, map_tensors=(PPOCRV4_DET_PROB_MAP, ))
    with pytest.raises(ValueError, match='map_tensors'):
        PPOCRDetFeatures(frozen=False, frozen_maps=True)


@pytest.mark.timeout(180)
def test_frozen_stem_keeps_outputs_and_stops_gradients_there():
    """``frozen_stem``: the graph cut at the backbone's stride-4 output computes ONNX Runtime's
    outputs; the stem's weights get no gradients (nor update, nor train mode), the rest does."""
    stem_end = 'p2o.Add.43'  # PPLCNetV3's stride-4 output, the only tensor the rest reads
    features = PPOCRDetFeatures(
        frozen=False, frozen_stem=stem_end, map_tensors=(PPOCRV4_DET_PROB_MAP, ), return_maps=True)
    image = bar_image(3)
    reference, prob = ort_reference(PPOCRV4_DET_NECK_TENSORS + (stem_end, ), image)
    assert reference[-1].shape == (2, 48, 24, 32)  # stride 4
    features.eval()
    with torch.no_grad():
        assert_features_and_map_equal(features(torch.from_numpy(image)), reference, prob)

    # the stem's parameters are the first layers' (a 3-channel input conv among them)
    stem_params = list(features.stem.parameters())
    assert any(p.dim() == 4 and p.shape[1] == 3 for p in stem_params)
    assert not any(p.dim() == 4 and p.shape[1] == 3 for p in features.graph.parameters())
    features.train()
    assert features.graph.training and not any(m.training for m in features.stem.modules())
    assert not any(p.requires_grad for p in stem_params)
    assert all(p.requires_grad for p in features.graph.parameters())
    outputs = features(torch.from_numpy(image))
    sum(out.square().mean() for out in outputs).backward()
    assert all(p.grad is None for p in stem_params)
    assert sum(p.grad is not None for p in features.graph.parameters()) > 100


@pytest.mark.timeout(60)
def test_frozen_stem_needs_a_trainable_graph_and_a_tensor_of_it():
    with pytest.raises(ValueError, match='frozen=False'):
        PPOCRDetFeatures(frozen=True, frozen_stem='p2o.Add.43')
    with pytest.raises(KeyError, match='not_a_tensor'):
        PPOCRDetFeatures(frozen=False, frozen_stem='not_a_tensor')
    # the DB head's map reads the stride-4 features too: with the map, the stride-8 output of
    # the backbone is not a cut of the graph (without it, it is)
    with pytest.raises(ValueError, match='other than through'):
        PPOCRDetFeatures(frozen=False, frozen_stem='p2o.Add.71', map_tensors=('sigmoid_0.tmp_0', ))
    assert PPOCRDetFeatures(frozen=False, frozen_stem='p2o.Add.71').stem is not None


@pytest.mark.timeout(180)
def test_channels_last_keeps_outputs_and_the_format():
    """``channels_last``: the converted weights are NHWC and stay so through loading a
    checkpoint (of a model built without it); the outputs, maps and gradients are ONNX
    Runtime's and the plain model's."""
    kwargs = dict(frozen=False, map_tensors=(PPOCRV4_DET_PROB_MAP, ), return_maps=True)
    plain = PPOCRDetFeatures(**kwargs)
    nhwc = PPOCRDetFeatures(channels_last=True, **kwargs)
    convs = [p for p in nhwc.parameters() if p.dim() == 4 and p.shape[1] > 1 and p.shape[-1] > 1]
    assert convs and all(
        p.is_contiguous(memory_format=torch.channels_last) and not p.is_contiguous() for p in convs)
    nhwc.load_state_dict(plain.state_dict())
    assert all(p.is_contiguous(memory_format=torch.channels_last) for p in convs)

    image = bar_image(4)
    reference, prob = ort_reference(PPOCRV4_DET_NECK_TENSORS, image)
    nhwc.eval()
    with torch.no_grad():
        assert_features_and_map_equal(nhwc(torch.from_numpy(image)), reference, prob)

    # the gradients in float64 (float32 sums in another order differ by up to 0.4% of a
    # gradient's norm through the ~60 layers; a wrong layout would be off by about the norm)
    grads = []
    for model in (plain, nhwc):
        model.double().train()
        sum(out.square().mean() for out in model(torch.from_numpy(image).double())).backward()
        grads.append([p.grad for p in model.parameters()])
    assert all(p.is_contiguous(memory_format=torch.channels_last) for p in convs)
    for grad, nhwc_grad in zip(*grads):
        assert (grad is None) == (nhwc_grad is None)
        if grad is not None:
            torch.testing.assert_close(nhwc_grad, grad, rtol=1e-7, atol=1e-9 * grad.abs().max())
