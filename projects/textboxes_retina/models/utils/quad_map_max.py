# Copyright (c) textboxes_retina authors.
"""The maximum of a dense map inside each quad: a detector's box score from a probability map."""
import cv2
import numpy as np
import shapely
import torch
from torch import Tensor

#: Largest coordinate (px, relative to the quad's window) that ``fillPoly`` takes at 1/16 px in
#: int32; a quad reaching further is first clipped to its window (shapely).
MAX_FILL_COORDINATE = 2**26


def _clip_to_window(quad: np.ndarray, width: int, height: int) -> list:
    """The rings of ``quad`` clipped to ``[-1, width + 1] x [-1, height + 1]``."""
    clipped = shapely.clip_by_rect(shapely.Polygon(quad), -1, -1, width + 1, height + 1)
    return [
        np.asarray(part.exterior.coords)[:-1] for part in getattr(clipped, 'geoms', [clipped])
        if isinstance(part, shapely.Polygon) and not part.is_empty
    ]


def quad_map_max(prob_map: Tensor, quads: Tensor) -> Tensor:
    """Per quad, the maximum of ``prob_map`` over the pixels the quad covers.

    Pixel ``(row, col)`` spans ``[col, col + 1) x [row, row + 1)`` in the quads' coordinates
    (the data pipeline's convention), so its centre is ``(col + 0.5, row + 0.5)``. A quad covers
    the pixels OpenCV's ``fillPoly`` draws for it (vertices at 1/16 px): those whose centres lie
    inside it or less than half a pixel outside. A quad that covers no pixel of the map (outside
    it) takes the map's value at its centre, clamped into the map; one with a non-finite
    coordinate takes 0.

    Args:
        prob_map (Tensor): ``(H, W)`` map, on any device.
        quads (Tensor): ``(N, 8)`` quads ``x1, y1, ..., x4, y4`` in the map's pixel
            coordinates.

    Returns:
        Tensor: ``(N, )`` maxima, on ``prob_map``'s device and of its dtype.
    """
    if prob_map.dim() != 2:
        raise ValueError(f'prob_map must be (H, W), got shape {tuple(prob_map.shape)}')
    if quads.dim() != 2 or quads.size(-1) != 8:
        raise ValueError(f'quads must be (N, 8), got shape {tuple(quads.shape)}')
    height, width = prob_map.shape
    values = prob_map.detach().cpu().double().numpy()
    points = quads.detach().double().cpu().numpy().reshape(-1, 4, 2)
    out = np.zeros(len(points))
    for i, quad in enumerate(points):
        if not np.isfinite(quad).all():
            continue
        centred = quad - 0.5  # fillPoly's pixel (col, row) is the point (col, row)
        x0, y0 = np.clip(np.floor(centred.min(axis=0)), 0, [width, height]).astype(int)
        x1, y1 = np.clip(np.ceil(centred.max(axis=0)) + 1, 0, [width, height]).astype(int)
        if x1 > x0 and y1 > y0:
            mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
            rings = [centred - [x0, y0]]
            if np.abs(rings[0]).max() > MAX_FILL_COORDINATE:  # 1/16 px would overflow int32
                rings = _clip_to_window(rings[0], x1 - x0, y1 - y0)
            fixed = [np.round(ring * 16).astype(np.int32) for ring in rings]
            if fixed:
                cv2.fillPoly(mask, fixed, 1, lineType=cv2.LINE_8, shift=4)
            inside = values[y0:y1, x0:x1][mask.astype(bool)]
            if inside.size:
                out[i] = inside.max()
                continue
        col, row = np.clip(np.floor(quad.mean(axis=0)), 0, [width - 1, height - 1]).astype(int)
        out[i] = values[row, col]
    return torch.from_numpy(out).to(device=prob_map.device, dtype=prob_map.dtype)
