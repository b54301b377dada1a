"""tools/deployment/pytorch2onnx.py + tools/infer.py --backend onnxruntime: on the toy ICDAR 2015
images the ONNX Runtime quads equal PyTorch's (same count, each matched at IoU > 0.99 computed
with shapely, scores within 1e-4)."""
import json
import os.path as osp

import numpy as np
import pytest

from textboxes_retina.testing import REPO_ROOT, load_tool
from textboxes_retina.testing.configs import DEMO_CONFIG, SMALL_CONFIG, build_spread_detector

pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')

pytorch2onnx = load_tool('tools/deployment/pytorch2onnx.py')

TOY_IMAGES = osp.join(REPO_ROOT, 'tests', 'data', 'icdar2015_toy', 'imgs')


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """A deterministic small checkpoint and its export by the tool."""
    from mmengine.runner import save_checkpoint
    tmp = tmp_path_factory.mktemp('onnx')
    model, _ = build_spread_detector(SMALL_CONFIG)
    checkpoint = str(tmp / 'small.pth')
    save_checkpoint(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)
    onnx_file = str(tmp / 'small.onnx')
    info = pytorch2onnx.main(
        [SMALL_CONFIG, checkpoint, '--out', onnx_file, '--shape', '256', '384'])
    return dict(checkpoint=checkpoint, onnx=onnx_file, info=info, tmp=tmp)


def _match(expected, got):
    """Pair each expected quad with the got quad of largest IoU (shapely); return the IoUs and
    score differences, checking the pairing is one to one."""
    from shapely.geometry import Polygon
    polys = [Polygon(np.reshape(p, (4, 2))) for p in got['polygons']]
    ious, score_diffs, used = [], [], set()
    for quad, score in zip(expected['polygons'], expected['scores']):
        ref = Polygon(np.reshape(quad, (4, 2)))
        overlaps = [ref.intersection(p).area / ref.union(p).area for p in polys]
        best = int(np.argmax(overlaps))
        assert best not in used
        used.add(best)
        ious.append(overlaps[best])
        score_diffs.append(abs(score - got['scores'][best]))
    return np.array(ious), np.array(score_diffs)


@pytest.mark.timeout(240)
def test_onnxruntime_quads_equal_pytorch_on_toy_images(exported, infer_tool, tmp_path, monkeypatch):
    info = exported['info']
    assert info['opset'] == 17 and info['num_levels'] == 5
    assert all(row['max_abs_diff'] < 1e-3 for row in info['verify'])
    monkeypatch.chdir(REPO_ROOT)
    infer = infer_tool
    common = [
        '--formats', 'json', 'txt', '--no-save-vis', '--device', 'cpu', '--cfg-options',
        'model.test_cfg.score_thr=0.3'
    ]
    infer.main([
        SMALL_CONFIG, exported['checkpoint'], TOY_IMAGES, '--out-dir',
        str(tmp_path / 'pytorch'), *common
    ])
    infer.main([
        SMALL_CONFIG, exported['checkpoint'], TOY_IMAGES, '--out-dir',
        str(tmp_path / 'ort'), '--backend', 'onnxruntime', '--onnx', exported['onnx'], *common
    ])
    total = 0
    for index in range(1, 6):
        name = f'img_{index}'
        expected = json.loads((tmp_path / 'pytorch' / 'preds' / f'{name}.json').read_text())
        got = json.loads((tmp_path / 'ort' / 'preds' / f'{name}.json').read_text())
        assert len(got['polygons']) == len(expected['polygons'])
        if expected['polygons']:
            ious, score_diffs = _match(expected, got)
            assert ious.min() > 0.99 and score_diffs.max() < 1e-4
        total += len(expected['polygons'])
        # Same quads after truncation, hence the same submission file.
        assert ((tmp_path / 'ort' / 'txt' /
                 f'res_{name}.txt').read_text() == (tmp_path / 'pytorch' / 'txt' /
                                                    f'res_{name}.txt').read_text())
    assert total >= 10  # the comparison has quads to compare


@pytest.mark.timeout(60)
def test_infer_backend_arguments(infer_tool):
    infer = infer_tool
    args = infer.parse_args(['c.py', 'w.pth', 'img.jpg'])
    assert args.backend == 'pytorch' and args.onnx is None and not args.txt_confidence
    for argv in (['--backend', 'onnxruntime'], ['--onnx', 'm.onnx']):
        with pytest.raises(SystemExit):
            infer.parse_args(['c.py', 'w.pth', 'img.jpg', *argv])


@pytest.mark.timeout(180)
def test_the_demo_detector_is_refused_with_a_message(tmp_path):
    """The demo's MapRescoredTextBoxesRetina rescores at predict time: the tool exits naming the
    config and the reason, before writing anything."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmengine.runner import save_checkpoint
    from mmocr.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(Config.fromfile(DEMO_CONFIG).model)
    save_checkpoint(model.state_dict(), str(tmp_path / 'demo.pth'))
    out = tmp_path / 'demo.onnx'
    with pytest.raises(
            SystemExit,
            match=r'pytorch2onnx: .*synthetic\.py: '
            'MapRescoredTextBoxesRetina multiplies its scores'):
        pytorch2onnx.main([DEMO_CONFIG, str(tmp_path / 'demo.pth'), '--out', str(out)])
    assert not out.exists()
