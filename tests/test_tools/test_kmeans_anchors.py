import os
import os.path as osp

import numpy as np
import pytest


def test_kmeans_1d_recovers_separated_clusters(kmeans_anchors):
    rng = np.random.default_rng(1)
    centres = np.array([-3.0, 0.0, 2.0, 7.0])
    values = np.concatenate([c + 0.1 * rng.standard_normal(50) for c in centres])
    found, labels = kmeans_anchors.kmeans_1d(values, 4, seed=0)
    np.testing.assert_allclose(found, centres, atol=0.05)
    assert np.bincount(labels).tolist() == [50, 50, 50, 50]


def test_kmeans_1d_is_seeded(kmeans_anchors):
    values = np.random.default_rng(2).uniform(0, 10, 300)
    a, _ = kmeans_anchors.kmeans_1d(values, 5, seed=3)
    b, _ = kmeans_anchors.kmeans_1d(values, 5, seed=3)
    np.testing.assert_array_equal(a, b)


def test_kmeans_1d_needs_k_values(kmeans_anchors):
    with pytest.raises(ValueError, match='at least k=3'):
        kmeans_anchors.kmeans_1d(np.array([1.0, 2.0]), 3)


def _synthetic_infos(scales, ratios, per_cluster=40, seed=0):
    """Axis-aligned words of the given sqrt(area) scales x aspect ratios, 5%
    jitter, in 1000x1000 images, plus a huge don't-care word per image."""
    rng = np.random.default_rng(seed)
    instances = []
    for scale in scales:
        for ratio in ratios:
            for _ in range(per_cluster):
                s = scale * np.exp(0.05 * rng.standard_normal())
                r = ratio * np.exp(0.05 * rng.standard_normal())
                w, h = s * np.sqrt(r), s / np.sqrt(r)
                x, y = rng.uniform(0, 100, 2)
                instances.append(
                    dict(polygon=[x, y, x + w, y, x + w, y + h, x, y + h], ignore=False))
    instances.append(dict(polygon=[0, 0, 990, 0, 990, 5, 0, 5], ignore=True))
    return [dict(width=1000, height=1000, instances=instances)]


def test_anchor_settings_recover_word_scales_and_ratios(kmeans_anchors):
    scales, ratios = [30, 120, 450], [0.5, 1.0, 3.0]
    widths, heights = kmeans_anchors.word_sizes(_synthetic_infos(scales, ratios))
    assert len(widths) == 3 * 3 * 40  # the don't-care word is left out
    settings = kmeans_anchors.anchor_settings(widths, heights, num_sizes=3, num_ratios=3)
    np.testing.assert_allclose(settings['base_sizes'], scales, rtol=0.03)
    np.testing.assert_allclose(settings['aspect_ratios'], ratios, rtol=0.03)
    assert settings['size_counts'].tolist() == [120, 120, 120]
    assert settings['ratio_counts'].tolist() == [120, 120, 120]


def test_word_sizes_at_input_size(kmeans_anchors):
    info = dict(
        width=1280,
        height=720,
        instances=[
            dict(polygon=[10, 10, 110, 10, 110, 30, 10, 30], ignore=False),
            dict(polygon=[0, 0, 10, 0, 10, 10, 0, 10], ignore=True)
        ])
    widths, heights = kmeans_anchors.word_sizes([info], input_size=640)
    np.testing.assert_allclose([widths[0], heights[0]], [50, 10])
    widths, heights = kmeans_anchors.word_sizes([info], input_size=640, stretch=True)
    np.testing.assert_allclose([widths[0], heights[0]], [50, 20 * 640 / 720])
    widths, _ = kmeans_anchors.word_sizes([info], include_ignored=True)
    assert len(widths) == 2


def test_format_settings_prints_a_config_snippet(kmeans_anchors):
    settings = dict(
        base_sizes=np.array([29.6, 120.2]),
        size_counts=np.array([3, 4]),
        aspect_ratios=np.array([0.5, 3.0]),
        ratio_counts=np.array([5, 2]))
    text = kmeans_anchors.format_settings(settings, 7, 'toy')
    assert 'base_sizes=[30, 120],' in text
    assert 'aspect_ratios=[0.5, 3.0])))' in text
    assert '# k-means anchors from 7 words of toy' in text


def _toy_word_sizes(repo_root, scale):
    """Bounding-rectangle sizes of the toy set's cared-for words, read from its gt files."""
    widths, heights = [], []
    gts = osp.join(repo_root, 'tests/data/icdar2015_toy/gts')
    for name in sorted(os.listdir(gts)):
        with open(osp.join(gts, name), encoding='utf-8-sig') as f:
            for line in f.read().splitlines():
                values = line.split(',')
                if values[8] == '###':
                    continue
                points = np.array(values[:8], dtype=float).reshape(4, 2)
                widths.append(np.ptp(points[:, 0]) * scale)
                heights.append(np.ptp(points[:, 1]) * scale)
    return np.array(widths), np.array(heights)


def test_folder_and_config_sources(kmeans_anchors, repo_root, tmp_path, capsys):
    toy = osp.join(repo_root, 'tests/data/icdar2015_toy')
    # 1280x720 images fitted into 768x768: scale 0.6
    widths, heights = _toy_word_sizes(repo_root, 0.6)
    expected = kmeans_anchors.anchor_settings(widths, heights, num_sizes=2, num_ratios=2)
    kmeans_anchors.main([toy, '--input-size', '768', '--num-sizes', '2', '--num-ratios', '2'])
    out = capsys.readouterr().out
    assert f'# k-means anchors from {len(widths)} words of {toy} at input size 768' in out
    sizes = [int(round(s)) for s in expected['base_sizes']]
    assert f'base_sizes={sizes},' in out

    config = tmp_path / 'toy_config.py'
    config.write_text(
        "custom_imports = dict(imports=['textboxes_retina'], allow_failed_imports=False)\n"
        "train_dataloader = dict(dataset=dict(type='RepeatDataset', times=2, dataset=dict(\n"
        f"    type='ICDAR2015Dataset', data_root={toy!r}, img_dir='imgs', ann_dir='gts',\n"
        "    pipeline=[])))\n")
    kmeans_anchors.main([str(config), '--num-sizes', '2', '--num-ratios', '2'])
    out = capsys.readouterr().out
    assert f'# k-means anchors from {2 * len(widths)} words of {config}' in out
    widths, heights = _toy_word_sizes(repo_root, 1.0)
    expected = kmeans_anchors.anchor_settings(widths, heights, num_sizes=2, num_ratios=2)
    assert f"base_sizes={[int(round(s)) for s in expected['base_sizes']]}," in out
