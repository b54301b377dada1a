"""IC15HmeanMetric against an outside oracle: the official Challenge 4 evaluation ported onto the
Polygon library it was written for (``tests/oracles/ic15_official_polygon3.py``), on hundreds of
random hard images: rotated and perspective quads with float coordinates (truncated by the
script), bow-ties, reversed and rotated vertex orders, negative coordinates, don't-care words
with detections half on them, near-copies of the ground truth around the IoU threshold.

Polygon3 aborts at interpreter exit on Python >= 3.11, so the oracle runs in a subprocess that
leaves with ``os._exit(0)`` after writing its results.
"""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from textboxes_retina.evaluation import IC15HmeanMetric

ORACLE = osp.join(osp.dirname(__file__), '..', '..', 'oracles', 'ic15_official_polygon3.py')
NUM_DATASETS, IMAGES_PER_DATASET = 20, 40

pytestmark = pytest.mark.timeout(180)


def _quad(rng, cx, cy, width, height):
    """A rotated rectangle with perspective jitter, float coordinates."""
    angle = rng.uniform(-np.pi / 3, np.pi / 3)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [width / 2, height / 2]
    corners = corners + rng.normal(0, 0.1 * height, (4, 2))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return (corners @ rotation.T + [cx, cy]).ravel()


def _hard_variant(rng, quad):
    """A detection of ``quad``: shifted / scaled near the IoU threshold, its vertex order
    rotated or reversed, sometimes a bow-tie or integer coordinates."""
    points = quad.reshape(4, 2)
    centre = points.mean(0)
    size = np.ptp(points, 0).max()
    points = (points - centre) * rng.uniform(0.7, 1.3) + centre + rng.normal(0, 0.12 * size, 2)
    points = np.roll(points, int(rng.integers(4)), axis=0)
    if rng.random() < 0.3:
        points = points[::-1]
    if rng.random() < 0.1:
        points = points[[0, 2, 1, 3]]  # bow-tie
    if rng.random() < 0.3:
        points = np.round(points)
    return points.ravel()


def random_images(rng, num_images):
    images = []
    for _ in range(num_images):
        gts, ignored = [], []
        for _ in range(int(rng.integers(0, 8))):
            quad = _quad(rng, rng.uniform(-20, 500), rng.uniform(-20, 500), rng.uniform(8, 140),
                         rng.uniform(4, 40))
            if rng.random() < 0.08:
                quad = quad.reshape(4, 2)[[0, 2, 1, 3]].ravel()  # bow-tie ground truth
            gts.append(quad)
            ignored.append(bool(rng.random() < 0.2))
        dets = [_hard_variant(rng, quad) for quad in gts if rng.random() < 0.85]
        dets += [_hard_variant(rng, quad) for quad in gts if rng.random() < 0.2]  # duplicates
        dets += [
            _quad(rng, rng.uniform(0, 500), rng.uniform(0, 500), rng.uniform(8, 100),
                  rng.uniform(4, 30)) for _ in range(int(rng.integers(0, 3)))
        ]
        order = rng.permutation(len(dets))
        # float32, as the model's polygons are; the oracle gets the same float32 values
        images.append(
            dict(
                gt=[np.float32(g) for g in gts],
                ignored=ignored,
                det=[np.float32(dets[i]) for i in order]))
    return images


@pytest.fixture(scope='module')
def datasets():
    rng = np.random.default_rng(2015)
    return [random_images(rng, IMAGES_PER_DATASET) for _ in range(NUM_DATASETS)]


@pytest.fixture(scope='module')
def oracle(datasets, tmp_path_factory):
    folder = tmp_path_factory.mktemp('ic15_oracle')
    task = dict(
        iou_thr=0.5,
        area_precision_thr=0.5,
        datasets=[[
            dict(
                gt=[[float(v) for v in quad] for quad in image['gt']],
                ignored=image['ignored'],
                det=[[float(v) for v in quad] for quad in image['det']]) for image in images
        ] for images in datasets])
    (folder / 'in.json').write_text(json.dumps(task))
    result = subprocess.run(
        [sys.executable, ORACLE,
         str(folder / 'in.json'),
         str(folder / 'out.json')],
        capture_output=True,
        text=True,
        timeout=150)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads((folder / 'out.json').read_text())


def _metric_results(images, sample_tools):
    samples = [
        sample_tools['make_sample'](image['gt'], image['ignored'], image['det'],
                                    np.linspace(0.99, 0.5, len(image['det'])).tolist(),
                                    f'img_{index}.jpg') for index, image in enumerate(images)
    ]
    metric = IC15HmeanMetric(score_thr=0.0)
    for sample in samples:
        metric.process({}, [sample.to_dict()])
    results = list(metric.results)
    overall = metric.evaluate(len(samples))
    per_image = metric.image_results(metric.prepare(results), 0.0)
    return overall, per_image


def test_ic15_metric_equals_the_official_script_on_polygon3(datasets, oracle, sample_tools):
    worst, images, pairs, dontcare_dets, bow_ties = 0.0, 0, 0, 0, 0
    for images_, expected in zip(datasets, oracle):
        overall, per_image = _metric_results(images_, sample_tools)
        for key in ('precision', 'recall', 'hmean'):
            worst = max(worst, abs(overall[f'ic15/{key}'] - expected[key]))
        for ours, theirs in zip(per_image, expected['images']):
            assert ours['pairs'] == theirs['pairs']
            assert ours['det_dontcare'] == theirs['det_dontcare']
            worst = max(worst, abs(ours['precision'] - theirs['precision']),
                        abs(ours['recall'] - theirs['recall']))
            pairs += len(theirs['pairs'])
            dontcare_dets += len(theirs['det_dontcare'])
        images += len(images_)
    for images_ in datasets:  # the hard cases are really there
        for image in images_:
            for quad in image['gt'] + image['det']:
                p = quad.reshape(4, 2)
                bow_ties += _crossing(p[0], p[1], p[2], p[3]) or _crossing(p[1], p[2], p[3], p[0])
    print(f'IC15 vs the official script on Polygon3: {NUM_DATASETS} datasets, {images} images, '
          f'{pairs} matched pairs, {dontcare_dets} don\'t-care detections, {bow_ties} bow-ties; '
          f'worst difference {worst:.3g}')
    assert images == NUM_DATASETS * IMAGES_PER_DATASET
    assert pairs > 700 and dontcare_dets > 250 and bow_ties > 600
    assert worst <= 1e-12


def _crossing(a, b, c, d):
    """Segments a-b and c-d cross properly."""

    def side(o, p, q):
        return np.sign((p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]))

    return bool(side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0)
