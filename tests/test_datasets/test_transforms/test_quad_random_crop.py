"""QuadRandomCrop: known crops, the sampling rules, and properties on random words."""
import copy

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from mmcv.transforms.utils import cache_random_params
from mmocr.registry import TRANSFORMS

from textboxes_retina.datasets.transforms import QuadRandomCrop
from textboxes_retina.structures import polygons_to_bboxes
from textboxes_retina.testing.painted_samples import (assert_paint_at_centres, assert_quads_inside,
                                                      painted_samples)


def sample(polygons, height=100, width=200, ignored=None):
    polygons = [np.asarray(p, np.float32) for p in polygons]
    n = len(polygons)
    return dict(
        img=np.arange(height * width * 3, dtype=np.int64).reshape(height, width, 3) % 251,
        img_shape=(height, width),
        gt_polygons=polygons,
        gt_bboxes=polygons_to_bboxes(polygons),
        gt_bboxes_labels=np.zeros(n, np.int64),
        gt_ignored=np.zeros(n, bool) if ignored is None else np.array(ignored),
        gt_texts=[str(k) for k in range(n)])


def crop_at(transform, results, box):
    """Run ``transform`` with its patch sampler fixed to ``box``."""
    transform._sample_crop_box = lambda *args: np.array(box)
    return transform(copy.deepcopy(results))


def test_known_crop_translates_clips_and_drops():
    inside = [20, 20, 40, 20, 40, 30, 20, 30]
    half_cut = [90, 10, 130, 10, 130, 20, 90, 20]  # 10 of 40 px wide inside
    mostly_in = [95, 40, 105, 40, 105, 50, 95, 50]  # half inside
    outside = [150, 60, 170, 60, 170, 70, 150, 70]
    results = sample([inside, half_cut, mostly_in, outside])
    out = crop_at(QuadRandomCrop(min_kept_area_ratio=0.5), results, [10, 5, 100, 95])
    np.testing.assert_array_equal(out['img'], results['img'][5:95, 10:100])
    assert out['img_shape'] == (90, 90)
    assert out['gt_texts'] == ['0', '1', '2']  # the outside word is dropped
    np.testing.assert_allclose(out['gt_polygons'][0], [10, 15, 30, 15, 30, 25, 10, 25])
    # clipped words: the rectangle of the visible part, in patch coordinates
    np.testing.assert_allclose(
        sorted(out['gt_polygons'][1].reshape(4, 2).tolist()),
        [[80, 5], [80, 15], [90, 5], [90, 15]])
    np.testing.assert_allclose(
        sorted(out['gt_polygons'][2].reshape(4, 2).tolist()),
        [[85, 35], [85, 45], [90, 35], [90, 45]])
    # 25% of the cut word is left: don't care; 50% is enough to stay a cared word
    assert out['gt_ignored'].tolist() == [False, True, False]
    np.testing.assert_allclose(out['gt_bboxes'],
                               [[10, 15, 30, 25], [80, 5, 90, 15], [85, 35, 90, 45]])
    np.testing.assert_array_equal(out['crop_bbox'], [10, 5, 100, 95])

    dropped = crop_at(QuadRandomCrop(cut_word_mode='drop'), results, [10, 5, 100, 95])
    assert dropped['gt_texts'] == ['0', '2']

    empty = crop_at(QuadRandomCrop(), results, [0, 60, 40, 100])
    assert empty['gt_polygons'] == [] and empty['gt_texts'] == []
    assert empty['gt_bboxes'].shape == (0, 4) and empty['gt_ignored'].shape == (0, )


def test_whole_image_mode_clips_words_reaching_outside():
    results = sample([[-10, 10, 30, 10, 30, 30, -10, 30]], height=50, width=50)
    transform = QuadRandomCrop(min_overlaps=(None, ))
    out = transform(copy.deepcopy(results))
    np.testing.assert_array_equal(out['img'], results['img'])
    np.testing.assert_allclose(
        sorted(out['gt_polygons'][0].reshape(4, 2).tolist()),
        [[0, 10], [0, 30], [30, 10], [30, 30]])
    assert out['gt_ignored'].tolist() == [False]  # 75% kept


def test_patch_must_overlap_a_cared_word():
    np.random.seed(0)
    word = [150, 70, 190, 70, 190, 90, 150, 90]
    results = sample([word, [0, 0, 40, 0, 40, 20, 0, 20]], ignored=[False, True])
    transform = QuadRandomCrop(min_overlaps=(0.9, ), scale_range=(0.3, 0.6))
    for _ in range(20):
        box = transform._sample_crop_box(100, 200, results['gt_polygons'], results['gt_ignored'])
        coverage = shapely.box(*box).intersection(shapely.Polygon(np.reshape(word,
                                                                             (4, 2)))).area / 800
        assert coverage >= 0.9 or box.tolist() == [0, 0, 200, 100]
    # only ignored words: no patch can satisfy the overlap, the whole image is kept
    only_ignored = sample([word], ignored=[True])
    box = transform._sample_crop_box(100, 200, only_ignored['gt_polygons'],
                                     only_ignored['gt_ignored'])
    assert box.tolist() == [0, 0, 200, 100]


def test_iou_mode_and_patch_shape_ranges():
    np.random.seed(1)
    transform = QuadRandomCrop(
        min_overlaps=(0.0, ), scale_range=(0.5, 0.5), aspect_ratio_range=(1.0, 1.0))
    box = transform._sample_crop_box(100, 200, [], np.zeros(0, bool))
    assert (box[2] - box[0], box[3] - box[1]) == (100, 50)
    big = [0, 0, 200, 0, 200, 100, 0, 100]
    iou = QuadRandomCrop(min_overlaps=(0.95, ), overlap_mode='iou', scale_range=(0.3, 0.5))
    box = iou._sample_crop_box(100, 200, [np.array(big, np.float32)], np.zeros(1, bool))
    assert box.tolist() == [0, 0, 200, 100]  # no small patch has IoU 0.95 with the image


def test_registered_with_repr_and_validation():
    transform = TRANSFORMS.build(dict(type='QuadRandomCrop', max_trials=5))
    assert repr(transform) == (
        'QuadRandomCrop(min_overlaps=(None, 0.0, 0.1, 0.3, 0.5, 0.7, 0.9), '
        "overlap_mode='coverage', scale_range=(0.3, 1.0), aspect_ratio_range=(0.5, 2.0), "
        "max_trials=5, min_kept_area_ratio=0.5, cut_word_mode='ignore', "
        'min_words_inside=None, inside_thr=0.9)')
    with pytest.raises(ValueError, match='cut_word_mode'):
        QuadRandomCrop(cut_word_mode='remove')
    with pytest.raises(ValueError, match='scale_range'):
        QuadRandomCrop(scale_range=(0, 1))


def _fraction_inside(word, box):
    """Fraction of ``word``'s axis-aligned bounding box inside ``box``, with shapely."""
    xs, ys = word[0::2], word[1::2]
    rect = shapely.box(min(xs), min(ys), max(xs), max(ys))
    return rect.intersection(shapely.box(*box)).area / rect.area


SEED_CROP = dict(
    min_words_inside=(None, 1, 3, 5, 7, 9), scale_range=(0.1, 1.0), aspect_ratio_range=(0.5, 2.0))


@pytest.mark.timeout(60)
def test_seed_word_count_modes_hold_over_many_seeds():
    """The seed's modes: a patch has more than k cared words with > 90% of their box inside."""
    # A 16:9 image with 24 words on a 6 x 4 grid (3 of them don't care, which never count).
    words = [[
        40 + 100 * i, 30 + 90 * j, 110 + 100 * i, 30 + 90 * j, 110 + 100 * i, 60 + 90 * j,
        40 + 100 * i, 60 + 90 * j
    ] for i in range(6) for j in range(4)]
    ignored = np.zeros(len(words), bool)
    ignored[[0, 7, 13]] = True
    results = sample(words, height=360, width=640, ignored=ignored)
    cared = [w for w, ign in zip(words, ignored) if not ign]
    seen_modes, sides = set(), []
    for k in (1, 3, 5, 7, 9):
        transform = QuadRandomCrop(**dict(SEED_CROP, min_words_inside=(k, )))
        for seed in range(60):
            np.random.seed(seed)
            box = transform._sample_crop_box(360, 640, results['gt_polygons'], ignored)
            if box.tolist() == [0, 0, 640, 360]:
                continue  # fallback after max_trials failures
            inside = sum(_fraction_inside(w, box) > 0.9 for w in cared)
            assert inside > k, (k, seed, box, inside)
            h, w = box[3] - box[1], box[2] - box[0]
            # The patch's own h / w in [0.5, 2] as the seed (sides rounded to whole pixels).
            assert (h + 0.5) / (w - 0.5) >= 0.5 and (h - 0.5) / (w + 0.5) <= 2.0, (h, w)
            assert w >= 0.1 * 640 - 0.5 and h >= 0.1 * 360 - 0.5
            seen_modes.add(k)
            sides.append(w / 640)
    assert seen_modes == {1, 3, 5, 7, 9}
    assert min(sides) < 0.3  # patches smaller than our default scale_range=(0.3, 1.0) allows
    # None keeps the whole image; no cared word: nothing can satisfy a count, whole image.
    whole = QuadRandomCrop(**dict(SEED_CROP, min_words_inside=(None, )))
    assert whole._sample_crop_box(360, 640, results['gt_polygons'],
                                  ignored).tolist() == [0, 0, 640, 360]
    only_ignored = QuadRandomCrop(**dict(SEED_CROP, min_words_inside=(1, )))
    assert only_ignored._sample_crop_box(360, 640, results['gt_polygons'],
                                         np.ones(24, bool)).tolist() == [0, 0, 640, 360]


@pytest.mark.timeout(30)
def test_words_inside_counts_by_hand():
    transform = QuadRandomCrop(min_words_inside=(1, ))
    # Bounding box 10x10 at (0, 0): 95% inside [0, 0, 9.5, 100] (counts), 90% inside
    # [0, 0, 9, 100] (not more than 90%: does not count), as the seed's `overlap > 0.9`.
    rotated = np.array([5, 0, 10, 5, 5, 10, 0, 5], np.float32)  # a diamond: bbox 10 x 10
    assert transform.words_inside([rotated], np.array([0, 0, 9.5, 100])) == 1
    assert transform.words_inside([rotated], np.array([0, 0, 9, 100])) == 0
    assert transform.words_inside([], np.array([0, 0, 9, 100])) == 0
    with pytest.raises(ValueError, match='min_words_inside'):
        QuadRandomCrop(min_words_inside=(-1, ))


@pytest.mark.timeout(30)
def test_seed_mode_crops_and_clips_like_the_default():
    results = sample([[20, 20, 60, 20, 60, 30, 20, 30], [120, 50, 160, 50, 160, 70, 120, 70]])
    np.random.seed(5)
    out = QuadRandomCrop(**dict(SEED_CROP, min_words_inside=(0, )))(copy.deepcopy(results))
    x1, y1, x2, y2 = out['crop_bbox']
    np.testing.assert_array_equal(out['img'], results['img'][y1:y2, x1:x2])
    assert_quads_inside(out)
    assert len(out['gt_polygons']) >= 1


def test_cache_randomness_repeats_the_patch():
    results = sample([[20, 20, 40, 20, 40, 30, 20, 30]])
    transform = QuadRandomCrop(min_overlaps=(0.0, ))
    np.random.seed(3)
    with cache_random_params(transform):
        first = transform(copy.deepcopy(results))['crop_bbox']
        second = transform(copy.deepcopy(results))['crop_bbox']
    np.testing.assert_array_equal(first, second)


@settings(max_examples=40, deadline=None, database=None, derandomize=True)
@given(painted_samples())
def test_property_quads_inside_aligned_and_mapped_back(results):
    np.random.seed(results['seed'])
    original = copy.deepcopy(results)
    out = QuadRandomCrop(min_overlaps=(0.0, 0.3, 0.9), min_kept_area_ratio=0.3)(results)
    assert_quads_inside(out)
    x1, y1, x2, y2 = out['crop_bbox']
    np.testing.assert_array_equal(out['img'], original['img'][y1:y2, x1:x2])
    patch = shapely.box(x1, y1, x2, y2)
    untouched = set()
    for polygon, text, ignored in zip(out['gt_polygons'], out['gt_texts'], out['gt_ignored']):
        k = int(text)
        source = original['gt_polygons'][k]
        back = polygon + np.tile([x1, y1], 4)
        word = shapely.Polygon(source.reshape(4, 2))
        visible = word.intersection(patch)
        if shapely.contains_properly(patch.buffer(1e-6), word):  # inside: translated only
            np.testing.assert_allclose(back, source, atol=1e-4)
            assert ignored == original['gt_ignored'][k]
            untouched.add(k)
        else:  # clipped: a quad that matches the visible part
            quad = shapely.MultiPoint(back.reshape(4, 2)).convex_hull
            inter = quad.intersection(visible).area
            # a triangle (a corner cut off) fills half of any quad around it
            assert inter / (quad.area + visible.area - inter) >= 0.5 - 1e-3
            assert ignored == (original['gt_ignored'][k] or visible.area < 0.3 * word.area)
    # words whose visible part is at least 30% remain; none is lost otherwise
    for k, source in enumerate(original['gt_polygons']):
        word = shapely.Polygon(source.reshape(4, 2))
        if word.intersection(patch).area > 1e-3:
            assert str(k) in out['gt_texts']
    assert_paint_at_centres(out, untouched & set(original['unique']))
