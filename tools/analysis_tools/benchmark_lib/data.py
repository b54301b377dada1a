# Copyright (c) textboxes_retina authors.
"""Generated ICDAR2015-layout images for the pipeline and evaluation benchmarks."""
import glob
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from textboxes_retina.synthetic.styled_split import write_split


def ensure_split(out_dir: str,
                 split: str,
                 num_images: int,
                 size_range: Tuple[int, int],
                 seed: int = 0) -> str:
    """Generate ``<out_dir>/<split>`` with the project's generator unless it is already there.

    The generator is deterministic in ``(seed, split, index)``, so a folder holding at least
    ``num_images`` images of the same split name is reused as is.

    Args:
        out_dir (str): Parent folder.
        split (str): Split name (e.g. ``'pipeline_720-1280'``).
        num_images (int): Images wanted.
        size_range (tuple[int, int]): Image side range in pixels.
        seed (int): Generator seed. Defaults to 0.

    Returns:
        str: The split folder (``imgs/`` and ``gts/`` inside).
    """
    root = osp.join(out_dir, split)
    if len(glob.glob(osp.join(root, 'imgs', '*.jpg'))) >= num_images:
        return root
    return write_split(out_dir, split, num_images, size_range, seed, progress=False)


def build_dataset(root: str,
                  pipeline: Optional[Sequence[Dict]] = None,
                  limit: Optional[int] = None,
                  test_mode: bool = False):
    """An ``ICDAR2015Dataset`` on a generated split, with ``pipeline``.

    Args:
        root (str): Split folder from :func:`ensure_split`.
        pipeline (Sequence[dict], optional): Transforms (MMOCR scope). Defaults to none.
        limit (int, optional): Use the first images only. Defaults to all.
        test_mode (bool): Dataset test mode. Defaults to False.

    Returns:
        ICDAR2015Dataset: The dataset.
    """
    from mmengine.registry import DefaultScope
    from mmocr.registry import DATASETS

    import textboxes_retina  # noqa: F401
    with DefaultScope.overwrite_default_scope('mmocr'):
        return DATASETS.build(
            dict(
                type='ICDAR2015Dataset',
                data_root=root,
                img_dir='imgs',
                ann_dir='gts',
                limit=limit,
                test_mode=test_mode,
                pipeline=list(pipeline or [])))


def annotations(root: str, limit: Optional[int] = None) -> List[Dict]:
    """``data_info`` dicts (``instances`` with ``polygon`` and ``ignore``) of a split."""
    dataset = build_dataset(root, limit=limit, test_mode=True)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def grid_quads(rng, size: int, num: int):
    """``num`` non-overlapping word quads in a ``size x size`` image, one per grid cell.

    Each word is a rectangle of aspect ratio 2-6 filling most of its cell's width, rotated by up
    to 15 degrees about the cell centre, vertices clockwise from the top-left.

    Args:
        rng (np.random.Generator): Random generator.
        size (int): Image side.
        num (int): Number of words.

    Returns:
        np.ndarray: Quads, float32, shape (num, 8).
    """
    import numpy as np
    if num <= 0:
        return np.zeros((0, 8), dtype=np.float32)
    cols = int(np.ceil(np.sqrt(num)))
    cell = size / cols
    quads = []
    for index in range(num):
        cx, cy = (index % cols + 0.5) * cell, (index // cols + 0.5) * cell
        w = cell * rng.uniform(0.5, 0.7)
        h = w / rng.uniform(2, 6)
        angle = np.deg2rad(rng.uniform(-15, 15))
        corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        quads.append((corners @ rotation.T + [cx, cy]).reshape(8))
    return np.asarray(quads, dtype=np.float32).reshape(-1, 8)
