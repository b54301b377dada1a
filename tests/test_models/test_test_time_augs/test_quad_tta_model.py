"""QuadTTAModel: flip-back, size limits, NMS / voting merging, and the TTA config end to end."""
import copy
from pathlib import Path

import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmocr.registry import DATASETS, MODELS
from mmocr.structures import TextDetDataSample

from textboxes_retina.models.test_time_augs import QuadTTAModel
from textboxes_retina.structures import valid_quads

ROOT = Path(__file__).parents[3]
TTA_CONFIG = ROOT / 'configs/_base_/tta/icdar2015_quad_tta.py'
OWN_SIZE_TTA_CONFIG = ROOT / 'configs/_base_/tta/own_size_quad_tta.py'
SMALL = {
    'TextBoxesRetinaHead':
    ROOT / 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py',
    'RefineTextBoxesHead':
    ROOT / 'configs/refine_textboxes/refine_textboxes_r18-small_1xb8-adam-2k_synthetic.py',
}
TOY = ROOT / 'tests/data/icdar2015_toy'
WORD = [10., 20., 50., 10., 55., 30., 15., 40.]  # canonical, 40 x 20 px, word height ~20
SMALL_WORD = [100., 50., 130., 50., 130., 56., 100., 56.]  # word height 6
ORI_SHAPE = (60, 200)


def _tta_model(head='RefineTextBoxesHead', **tta_cfg):
    torch.manual_seed(0)
    cfg = dict(nms=dict(type='quad_nms', iou_threshold=0.2), max_per_img=100)
    cfg.update(tta_cfg)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(
            dict(type='QuadTTAModel', tta_cfg=cfg, module=Config.fromfile(str(SMALL[head])).model))
    assert isinstance(model, QuadTTAModel)
    return model


def _view(polygons, scores, flip=False, scale=(200, 200), scale_factor=None):
    meta = dict(ori_shape=ORI_SHAPE, flip=flip, flip_direction='horizontal' if flip else None)
    if scale is not None:
        meta['scale'] = scale
    if scale_factor is not None:
        meta['scale_factor'] = scale_factor
    sample = TextDetDataSample(metainfo=meta)
    sample.pred_instances = InstanceData(
        polygons=[np.asarray(p, np.float32) for p in polygons],
        scores=torch.tensor(scores),
        labels=torch.zeros(len(scores), dtype=torch.long))
    return sample


def _mirrored(quad):
    """A quad as the model finds it in the horizontally flipped image (canonical order)."""
    x = ORI_SHAPE[1] - np.asarray(quad[0::2])
    y = np.asarray(quad[1::2])
    # mirrored vertices 1, 0, 3, 2 are clockwise again; for WORD, vertex 1 is nearest the top-left
    return list(np.stack([x, y], 1)[[1, 0, 3, 2]].reshape(8))


def _merged(model, views):
    pred = model.merge_preds([views])[0].pred_instances
    return np.array(pred.polygons).reshape(-1, 8), pred.scores


def test_flipped_views_are_flipped_back_and_voted():
    model = _tta_model(merge='voting')
    views = [_view([WORD], [0.6]), _view([_mirrored(WORD)], [0.9], flip=True)]
    polygons, scores = _merged(model, views)
    np.testing.assert_allclose(polygons, [WORD], atol=1e-4)
    torch.testing.assert_close(scores, torch.tensor([0.9]))


def test_nms_merging_keeps_the_best_view_and_max_per_img():
    model = _tta_model(merge='nms', max_per_img=1)
    shifted = list(np.asarray(WORD) + [2., 0.] * 4)

    def views():  # merging writes into the first view's sample
        return [_view([shifted, SMALL_WORD], [0.9, 0.5]), _view([WORD], [0.6])]

    polygons, scores = _merged(model, views())
    np.testing.assert_allclose(polygons, [shifted])
    model.tta_cfg['max_per_img'] = 100
    polygons, scores = _merged(model, views())
    np.testing.assert_allclose(polygons, [shifted, SMALL_WORD])
    torch.testing.assert_close(scores, torch.tensor([0.9, 0.5]))
    with pytest.raises(AssertionError, match='merge'):
        _tta_model(merge='mean')


def test_size_limits_per_scale():
    model = _tta_model(
        merge='nms',
        size_limits=[
            dict(scale=(100, 100), min_size=12),  # down-scaled view: large words only
            dict(scale=(400, 400), max_size=12),  # up-scaled view: small words only
        ])
    both = [WORD, SMALL_WORD]
    for scale, expected in [((100, 100), [WORD]), ((400, 400), [SMALL_WORD]), ((200, 200), both)]:
        polygons, _ = _merged(model, [_view(both, [0.9, 0.8], scale=scale)])
        np.testing.assert_allclose(polygons, expected)
    # everything limited away: an empty prediction, not the unmerged one
    polygons, scores = _merged(model, [_view([SMALL_WORD], [0.9], scale=(100, 100))])
    assert polygons.shape == (0, 8) and scores.shape == (0, )
    with pytest.raises(AssertionError, match='scale'):
        _merged(model, [_view(both, [0.9, 0.8], scale=None)])


def test_size_limits_per_scale_factor():
    """Views resized by a factor are limited by that factor, up to the rounding of the image
    size (a pixel of the 200 x 60 original: 0.005 in width, 0.017 in height)."""
    model = _tta_model(
        merge='nms',
        size_limits=[dict(scale_factor=1.0, min_size=12),
                     dict(scale_factor=1.5, max_size=12)])
    both = [WORD, SMALL_WORD]
    for factor, expected in [((1.0, 1.0), [WORD]), ((1.5, 1.5), [SMALL_WORD]),
                             ((301 / 200, 89 / 60), [SMALL_WORD]), ((1.51, 1.5), both),
                             ((1.25, 1.25), both)]:
        polygons, _ = _merged(model, [_view(both, [0.9, 0.8], scale=None, scale_factor=factor)])
        np.testing.assert_allclose(polygons, expected, err_msg=str(factor))
    with pytest.raises(AssertionError, match='scale_factor'):
        _merged(model, [_view(both, [0.9, 0.8], scale=None)])
    for limit in (dict(min_size=12), dict(scale=(100, 100), scale_factor=1.0, min_size=12)):
        with pytest.raises(AssertionError, match='either `scale` or `scale_factor`'):
            _tta_model(size_limits=[limit])
    # a (w, h) factor, as Resize takes it too
    model = _tta_model(merge='nms', size_limits=[dict(scale_factor=(2.0, 1.5), max_size=12)])
    for factor, expected in [((2.0, 1.5), [SMALL_WORD]), ((1.5, 1.5), both), ((2.0, 2.0), both)]:
        polygons, _ = _merged(model, [_view(both, [0.9, 0.8], scale=None, scale_factor=factor)])
        np.testing.assert_allclose(polygons, expected, err_msg=str(factor))
    for factor in ((1.5, ), '1.5'):
        with pytest.raises(AssertionError, match='a number or a'):
            _tta_model(size_limits=[dict(scale_factor=factor, max_size=12)])


def test_own_size_tta_config_limits_match_the_views_of_its_pipeline():
    """The own-size TTA's pipeline on images of the ICDAR 2015 size (1280 x 720) and of odd
    sizes: mmcv's Resize rounds each view's size, and every view still finds its limit."""
    cfg = Config.fromfile(str(OWN_SIZE_TTA_CONFIG))
    limits = cfg.tta_model.tta_cfg.size_limits
    assert [limit.scale_factor for limit in limits] == [1.0, cfg.tta_small_word_factor]
    assert limits[0].min_size == limits[1].max_size == cfg.tta_small_word_size
    model = _tta_model(**cfg.tta_model.tta_cfg)
    with DefaultScope.overwrite_default_scope('mmocr'):
        views = Compose(cfg.tta_pipeline[1:])
        for shape in [(720, 1280), (437, 503), (31, 97)]:
            results = views(
                dict(
                    img=np.zeros((*shape, 3), np.uint8),
                    img_shape=shape,
                    ori_shape=shape,
                    img_path=f'{shape}.jpg',
                    instances=[]))
            found = [model._view_limits(sample) for sample in results['data_samples']]
            assert found == [(limit.get('min_size'), limit.get('max_size'))
                             for limit in limits], shape


def test_the_tta_config_views_and_limits():
    cfg = Config.fromfile(str(TTA_CONFIG))
    assert cfg.tta_scale_factors == [0.6, 1.0, 1.2, 1.4, 1.6, 1.8]
    resizes, flips = cfg.tta_pipeline[1].transforms[:2]
    assert [r.scale for r in resizes] == [(768, 768), (1280, 1280), (1536, 1536), (1792, 1792),
                                          (2048, 2048), (2304, 2304)]
    assert all(r.keep_ratio is False for r in resizes)  # square views, like training
    assert [f.prob for f in flips] == [1.0, 0.0]
    limits = cfg.tta_model.tta_cfg.size_limits
    assert limits[0] == dict(scale=(768, 768), min_size=12)
    assert [limit.scale for limit in limits[1:]] == [r.scale for r in resizes[2:]]
    pack = cfg.tta_pipeline[1].transforms[3][0]
    assert {'scale', 'flip', 'flip_direction'} <= set(pack.meta_keys)


@pytest.mark.parametrize('head', sorted(SMALL))
def test_tta_runs_end_to_end_on_a_toy_image(head, monkeypatch):
    cfg = Config.fromfile(str(TTA_CONFIG))
    pipeline = copy.deepcopy(cfg.tta_pipeline)
    # two small scales x flip: 4 views of a 1280 x 720 image, each padded to 128 x 128
    pipeline[1].transforms[0] = [
        dict(type='Resize', scale=s, keep_ratio=True) for s in [(64, 64), (96, 96)]
    ]
    with DefaultScope.overwrite_default_scope('mmocr'):
        dataset = DATASETS.build(
            dict(
                type='ICDAR2015Dataset',
                data_root=str(TOY),
                img_dir='imgs',
                ann_dir='gts',
                file_list=['img_1.jpg'],
                test_mode=True,
                pipeline=pipeline))
    data = pseudo_collate([dataset[0]])
    assert len(data['inputs']) == 4
    model = _tta_model(head, merge='voting', max_per_img=50)
    # an untrained model: keep its guesses, a few per level
    model.module.bbox_head.test_cfg.update(score_thr=0.0, nms_pre=30)
    views = []
    merge_preds = model.merge_preds
    monkeypatch.setattr(
        model, 'merge_preds',
        lambda samples: views.extend(copy.deepcopy(samples[0])) or merge_preds(samples))
    model.eval()
    with torch.no_grad():
        merged = model.test_step(data)
    assert len(merged) == 1 and len(views) == 4
    assert [v.flip for v in views] == [True, False, True, False]
    assert [v.scale for v in views] == [(64, 64)] * 2 + [(96, 96)] * 2  # for size limits
    pred = merged[0].pred_instances
    assert 0 < len(pred.polygons) <= 50 and len(pred.scores) == len(pred.polygons)
    quads = torch.from_numpy(np.stack(pred.polygons))
    assert valid_quads(quads).all()
    assert quads[:, 0::2].min() >= 0 and quads[:, 0::2].max() <= 1280
    assert quads[:, 1::2].min() >= 0 and quads[:, 1::2].max() <= 720
    # voting keeps the best score of each group: the best score over all views comes first
    assert pred.scores[0] == max(v.pred_instances.scores.max() for v in views)
    assert len(merged[0].gt_instances.polygons) > 0  # ground truth still in original coordinates


@pytest.mark.parametrize('nms', [dict(iou_threshold=0.2), dict(type='nms', iou_threshold=0.2)])
def test_tta_cfg_must_name_the_nms_that_runs(nms):
    """tta_cfg.nms says what merges the views: a missing or other type is refused by name."""
    with pytest.raises(ValueError, match="tta_cfg.nms.type must be 'quad_nms'"):
        _tta_model(nms=nms)


def test_tta_base_config_names_quad_nms():
    cfg = Config.fromfile(str(ROOT / 'configs/_base_/tta/icdar2015_quad_tta.py'))
    assert cfg.tta_model.tta_cfg.nms == dict(type='quad_nms', iou_threshold=0.2)
