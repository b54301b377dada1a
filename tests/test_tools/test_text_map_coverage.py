"""tools/analysis_tools/text_map_coverage.py: which legible words the PP-OCRv4 map sees."""
import cv2
import numpy as np
import pytest

from textboxes_retina.testing import load_tool

WORD = (40, 50, 250, 50, 250, 100, 40, 100)  # 'STOP' drawn there, 50 px high
BLANK = (40, 160, 250, 160, 250, 185, 40, 185)  # a blank strip, 25 px high


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    """One white 224 x 320 image: a drawn word, a legible-labelled blank strip and a don't-care
    word over the drawn one."""
    root = tmp_path_factory.mktemp('coverage')
    (root / 'imgs').mkdir()
    (root / 'gts').mkdir()
    img = np.full((224, 320, 3), 255, np.uint8)
    cv2.putText(img, 'STOP', (50, 92), cv2.FONT_HERSHEY_SIMPLEX, 1.6, (0, 0, 0), 4)
    cv2.imwrite(str(root / 'imgs' / 'img_1.jpg'), img)
    lines = [
        ','.join(map(str, WORD)) + ',STOP', ','.join(map(str, BLANK)) + ',blank',
        ','.join(map(str, WORD)) + ',###'
    ]
    (root / 'gts' / 'gt_img_1.txt').write_text('\n'.join(lines), encoding='utf-8')
    return root


@pytest.mark.timeout(180)
def test_the_drawn_word_is_seen_and_the_blank_strip_is_not(folder, capsys):
    tool = load_tool('tools/analysis_tools/text_map_coverage.py')
    coverage = tool.word_coverage(str(folder), tool.build_map_model())
    # the two legible words in file order (the don't-care one is left out), their heights by hand
    np.testing.assert_allclose(coverage['heights'], [50, 25])
    assert coverage['maxima'][0] > 0.8 and coverage['maxima'][1] < 0.05
    lines = tool.summary_lines('toy', coverage, thr=0.3)
    assert lines[0] == 'toy: 2 legible words, 0.500 seen by the text map (max > 0.3)'
    assert lines[1:] == [
        '  height 20-30 px: 1 words, 0.000 seen', '  height 30-60 px: 1 words, 1.000 seen'
    ]
    tool.main([str(folder), '--scale', '2'])  # the command line, the image doubled
    out = capsys.readouterr().out
    assert f'{folder}: 2 legible words, 0.500 seen' in out
    assert 'height 30-60 px: 1 words, 1.000 seen' in out  # heights of the original image


@pytest.mark.timeout(240)
def test_the_map_of_a_trained_checkpoint(folder, tmp_path, capsys):
    """--config/--checkpoint measure a trained model's map: the demo config (its map fine-tuned
    by DB's loss) with the pretrained weights sees what the pretrained map sees; the same
    checkpoint with the map's last bias lowered by 1000 (its logits, before the sigmoid) sees
    nothing."""
    import torch
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmocr.registry import MODELS

    from textboxes_retina.testing.configs import DEMO_CONFIG
    tool = load_tool('tools/analysis_tools/text_map_coverage.py')
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(Config.fromfile(DEMO_CONFIG).model)
    state = model.state_dict()
    torch.save(dict(state_dict=state), tmp_path / 'pretrained.pth')
    # the converted graph ends Add(ConvTranspose, bias) -> Sigmoid; the bias is a buffer
    graph = model.backbone.graph
    sigmoid = next(
        n for n in graph.graph.nodes
        if n.op == 'call_module' and isinstance(graph.get_submodule(n.target), torch.nn.Sigmoid))
    bias = next(a for a in sigmoid.args[0].args if a.op == 'get_attr')
    graph.get_buffer(bias.target).sub_(1000)
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'blind.pth')

    pretrained = tool.word_coverage(str(folder), tool.build_map_model())['maxima']
    loaded = tool.word_coverage(
        str(folder), tool.build_map_model(DEMO_CONFIG, str(tmp_path / 'pretrained.pth')))['maxima']
    np.testing.assert_allclose(loaded, pretrained, atol=1e-5)
    tool.main([str(folder), '--config', DEMO_CONFIG, '--checkpoint', str(tmp_path / 'blind.pth')])
    assert f'{folder}: 2 legible words, 0.000 seen' in capsys.readouterr().out
    with pytest.raises(SystemExit):
        tool.parse_args([str(folder), '--checkpoint', str(tmp_path / 'blind.pth')])
