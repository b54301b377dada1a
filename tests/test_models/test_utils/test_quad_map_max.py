"""quad_map_max: the maximum of a map over the pixels a quad covers, against hand-derived pixel
sets and shapely's point-in-polygon."""
import numpy as np
import pytest
import shapely
import torch

from textboxes_retina.models.utils import quad_map_max

H, W = 30, 40


def covered(quad):
    """The pixels (row, col) the quad covers, found one hot pixel at a time."""
    found = set()
    for row in range(H):
        for col in range(W):
            one_hot = torch.zeros(H, W)
            one_hot[row, col] = 1
            if quad_map_max(one_hot, torch.tensor([quad], dtype=torch.float32))[0] > 0:
                found.add((row, col))
    return found


def pixel_box(rows, cols):
    return {(r, c) for r in rows for c in cols}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    'quad, rows, cols',
    [
        # centres (c + 0.5, r + 0.5) inside or under half a pixel outside the quad
        ([10.2, 5.2, 19.8, 5.2, 19.8, 14.8, 10.2, 14.8], range(5, 15), range(10, 20)),
        ([9.8, 4.8, 20.2, 4.8, 20.2, 15.2, 9.8, 15.2], range(4, 16), range(9, 21)),
        # clipped to the map
        ([-5, -5, 3.2, -5, 3.2, 2.2, -5, 2.2], range(0, 3), range(0, 4)),
    ])
def test_axis_aligned_boxes_cover_the_hand_derived_pixels(quad, rows, cols):
    assert covered(quad) == pixel_box(rows, cols)


@pytest.mark.timeout(60)
def test_a_quad_off_the_map_takes_the_clamped_centre():
    assert covered([50, 50, 60, 50, 60, 60, 50, 60]) == {(H - 1, W - 1)}
    assert covered([-9, 10.2, -3, 10.2, -3, 11, -9, 11]) == {(10, 0)}


@pytest.mark.timeout(60)
def test_random_quads_within_shapely_bounds():
    """The result lies between the map's max over the pixel centres strictly inside the quad
    and its max over the centres within 0.75 px of it (shapely)."""
    rng = np.random.default_rng(0)
    prob = rng.random((H, W)).astype(np.float32)
    cols, rows = np.meshgrid(np.arange(W), np.arange(H))
    centres = shapely.points(cols.ravel() + 0.5, rows.ravel() + 0.5)
    quads = []
    for _ in range(60):
        centre = rng.uniform([5, 5], [W - 5, H - 5])
        angle = rng.uniform(0, np.pi)
        half = rng.uniform([1, 0.5], [12, 5])
        axes = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]]) * \
            half[:, None]
        corners = centre + np.array([-1, 1, 1, -1])[:, None] * axes[0] + \
            np.array([-1, -1, 1, 1])[:, None] * axes[1]
        quads.append((corners + rng.normal(0, 0.3, corners.shape)).ravel())
    result = quad_map_max(torch.from_numpy(prob), torch.tensor(np.array(quads))).numpy()
    checked = 0
    for quad, value in zip(quads, result):
        polygon = shapely.Polygon(quad.reshape(4, 2))
        if not polygon.is_valid:
            continue
        distance = shapely.distance(polygon, centres)
        inside = prob.ravel()[shapely.contains(polygon, centres)]
        near = prob.ravel()[distance < 0.75]
        assert inside.size == 0 or value >= inside.max()
        assert value <= near.max()
        checked += 1
    assert checked > 40


@pytest.mark.timeout(60)
def test_keeps_device_and_dtype_and_refuses_bad_shapes():
    prob = torch.zeros(8, 8, dtype=torch.float64)
    prob[2, 3] = 0.7
    out = quad_map_max(prob, torch.tensor([[2.0, 1, 5, 1, 5, 4, 2, 4], [0, 0, 1, 0, 1, 1, 0, 1]]))
    assert out.dtype == torch.float64 and out.tolist() == [0.7, 0.0]
    assert quad_map_max(prob, torch.zeros(0, 8)).shape == (0, )
    # hostile quads: a non-finite coordinate scores 0, a huge one is clipped to the map
    hostile = torch.tensor([[float('nan'), 1, 5, 1, 5, 4, 2, 4],
                            [-1e9, -1e9, 1e9, -1e9, 1e9, 1e9, -1e9, 1e9]])
    assert quad_map_max(prob, hostile).tolist() == [0.0, 0.7]
    with pytest.raises(ValueError, match=r'\(H, W\)'):
        quad_map_max(prob[None], torch.zeros(0, 8))
    with pytest.raises(ValueError, match=r'\(N, 8\)'):
        quad_map_max(prob, torch.zeros(3, 4))
