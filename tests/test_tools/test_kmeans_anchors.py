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
                instances.append(dict(polygon=[x, y, x + w, y, x + w, y + h, x, y + h],
                                      ignore=False))
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
    info = dict(width=1280, height=720, instances=[
        dict(polygon=[10, 10, 110, 10, 110, 30, 10, 30], ignore=False),
        dict(polygon=[0, 0, 10, 0, 10, 10, 0, 10], ignore=True)])
    widths, heights = kmeans_anchors.word_sizes([info], input_size=640)
    np.testing.assert_allclose([widths[0], heights[0]], [50, 10])
    widths, heights = kmeans_anchors.word_sizes([info], input_size=640, stretch=True)
    np.testing.assert_allclose([widths[0], heights[0]], [50, 20 * 640 / 720])
    widths, _ = kmeans_anchors.word_sizes([info], include_ignored=True)
    assert len(widths) == 2


def test_format_settings_prints_a_config_snippet(kmeans_anchors):
    settings = dict(base_sizes=np.array([29.6, 120.2]), size_counts=np.array([3, 4]),
                    aspect_ratios=np.array([0.5, 3.0]), ratio_counts=np.array([5, 2]))
    text = kmeans_anchors.format_settings(settings, 7, 'toy')
    assert 'base_sizes=[30, 120],' in text
    assert 'aspect_ratios=[0.5, 3.0])))' in text
    assert '# k-means anchors from 7 words of toy' in text
