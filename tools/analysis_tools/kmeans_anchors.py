# Copyright (c) textboxes_retina authors.
"""K-means anchor settings from the word sizes of a dataset.

Clusters the scales (``sqrt(w * h)``) and the aspect ratios (``w / h``) of the words' bounding
rectangles (what the head's assigner matches anchors against) and prints ``base_sizes`` (one
per FPN level) and ``aspect_ratios`` to paste into a config. Both are clustered in log space
(a ratio of 1/2 is as far from 1 as 2 is; sizes are compared relatively), with k-means++
seeding, several seeded restarts and Lloyd iterations, in numpy.

Usage::

    python tools/analysis_tools/kmeans_anchors.py CONFIG [--split train] [--input-size 768]
    python tools/analysis_tools/kmeans_anchors.py data/icdar2015 --input-size 768 \
        --img-dir ch4_training_images --ann-dir ch4_training_localization_transcription_gt

The source is a config (its ``{split}_dataloader`` dataset is built, dataset wrappers included)
or an ICDAR2015-format folder (read with ``ICDAR2015Dataset``; ``imgs/`` and ``gts/`` by
default, as tools/make_synthetic_dataset.py writes them). With ``--input-size S`` each
image's words are scaled as the image would be resized to fit S x S keeping its aspect ratio
(``--stretch``: resized to exactly S x S), so the sizes are those the network sees.
"""
import argparse
import os.path as osp
from typing import Dict, Iterable, Optional, Tuple

import numpy as np


def kmeans_1d(values: np.ndarray,
              k: int,
              seed: int = 0,
              n_init: int = 10,
              max_iter: int = 300) -> Tuple[np.ndarray, np.ndarray]:
    """K-means of scalar values (k-means++ seeding, best of ``n_init`` runs).

    Args:
        values (np.ndarray): Values, shape (N, ), N >= k.
        k (int): Number of clusters.
        seed (int): Seed of the random generator. Defaults to 0.
        n_init (int): Number of seeded restarts; the run with the lowest
            within-cluster sum of squares wins. Defaults to 10.
        max_iter (int): Lloyd iterations per run at most. Defaults to 300.

    Returns:
        tuple[np.ndarray, np.ndarray]: The centres in ascending order, shape
        (k, ), and the cluster index of each value, shape (N, ).
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if len(values) < k:
        raise ValueError(f'k-means needs at least k={k} values, got {len(values)}')
    rng = np.random.default_rng(seed)
    best_centres, best_inertia = None, np.inf
    for _ in range(n_init):
        centres = _kmeans_plus_plus(values, k, rng)
        for _ in range(max_iter):
            labels = np.abs(values[:, None] - centres[None]).argmin(1)
            updated = np.array([
                values[labels == i].mean() if np.any(labels == i) else centres[i] for i in range(k)
            ])
            if np.allclose(updated, centres):
                break
            centres = updated
        inertia = ((values - centres[labels])**2).sum()
        if inertia < best_inertia:
            best_centres, best_inertia = centres, inertia
    centres = np.sort(best_centres)
    return centres, np.abs(values[:, None] - centres[None]).argmin(1)


def _kmeans_plus_plus(values: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Initial centres of k-means++: each next centre drawn with probability
    proportional to the squared distance to the nearest chosen one."""
    centres = [values[rng.integers(len(values))]]
    for _ in range(1, k):
        dist2 = np.min((values[:, None] - np.array(centres)[None])**2, axis=1)
        total = dist2.sum()
        if total == 0:  # fewer distinct values than k: repeat one
            centres.append(values[rng.integers(len(values))])
            continue
        centres.append(values[rng.choice(len(values), p=dist2 / total)])
    return np.array(centres)


def word_sizes(data_infos: Iterable[Dict],
               input_size: Optional[int] = None,
               stretch: bool = False,
               include_ignored: bool = False) -> Tuple[np.ndarray, np.ndarray]:
    """Widths and heights of the words' bounding rectangles.

    Args:
        data_infos (Iterable[dict]): MMOCR data infos (``width``, ``height``,
            ``instances`` with ``polygon`` and ``ignore``).
        input_size (int, optional): Scale each image as if resized to fit
            ``input_size`` x ``input_size``. Defaults to None (original pixels).
        stretch (bool): With ``input_size``, resize to exactly that square
            instead of keeping the aspect ratio. Defaults to False.
        include_ignored (bool): Count don't-care words too. Defaults to False.

    Returns:
        tuple[np.ndarray, np.ndarray]: Widths and heights, shape (N, ) each,
        words with a zero side left out.
    """
    widths, heights = [], []
    for info in data_infos:
        scale_x = scale_y = 1.0
        if input_size is not None:
            scale_x, scale_y = input_size / info['width'], input_size / info['height']
            if not stretch:
                scale_x = scale_y = min(scale_x, scale_y)
        for instance in info['instances']:
            if instance.get('ignore', False) and not include_ignored:
                continue
            points = np.asarray(instance['polygon'], dtype=np.float64).reshape(-1, 2)
            width, height = np.ptp(points, axis=0) * (scale_x, scale_y)
            if width > 0 and height > 0:
                widths.append(width)
                heights.append(height)
    return np.array(widths), np.array(heights)


def anchor_settings(widths: np.ndarray,
                    heights: np.ndarray,
                    num_sizes: int = 6,
                    num_ratios: int = 6,
                    seed: int = 0) -> Dict[str, np.ndarray]:
    """Cluster word scales and aspect ratios.

    Args:
        widths (np.ndarray): Word widths, shape (N, ).
        heights (np.ndarray): Word heights, shape (N, ).
        num_sizes (int): Number of base sizes (one per FPN level). Defaults to 6.
        num_ratios (int): Number of aspect ratios. Defaults to 6.
        seed (int): Seed of k-means. Defaults to 0.

    Returns:
        dict: ``base_sizes`` (num_sizes, ) ascending and ``size_counts``;
        ``aspect_ratios`` (num_ratios, ) ascending (w / h) and ``ratio_counts``
        (words per cluster).
    """
    log_scales = 0.5 * np.log(widths * heights)
    log_ratios = np.log(widths / heights)
    size_centres, size_labels = kmeans_1d(log_scales, num_sizes, seed)
    ratio_centres, ratio_labels = kmeans_1d(log_ratios, num_ratios, seed)
    return dict(
        base_sizes=np.exp(size_centres),
        size_counts=np.bincount(size_labels, minlength=num_sizes),
        aspect_ratios=np.exp(ratio_centres),
        ratio_counts=np.bincount(ratio_labels, minlength=num_ratios))


def format_settings(settings: Dict[str, np.ndarray], num_words: int, source: str) -> str:
    """The printout: a summary and a config snippet to paste."""
    sizes = [int(round(s)) for s in settings['base_sizes']]
    ratios = [float(f'{r:.3g}') for r in settings['aspect_ratios']]
    return '\n'.join([
        f'# k-means anchors from {num_words} words of {source}',
        '# base sizes (sqrt(w*h)): ' +
        ', '.join(f'{s:.1f} ({n} words)'
                  for s, n in zip(settings['base_sizes'], settings['size_counts'])),
        '# aspect ratios (w/h):    ' +
        ', '.join(f'{r:.3f} ({n} words)'
                  for r, n in zip(settings['aspect_ratios'], settings['ratio_counts'])),
        'model = dict(bbox_head=dict(anchor_generator=dict(',
        f'    base_sizes={sizes},',
        f'    aspect_ratios={ratios})))',
    ])


def load_data_infos(source: str,
                    split: str = 'train',
                    img_dir: str = 'imgs',
                    ann_dir: str = 'gts') -> list:
    """Data infos of a config's ``{split}_dataloader`` dataset, or of an
    ICDAR2015-format folder ``source`` with images in ``img_dir`` and
    ``gt_*.txt`` files in ``ann_dir``."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmocr.registry import DATASETS

    if osp.isdir(source):
        import textboxes_retina  # noqa: F401  (registers ICDAR2015Dataset)
        init_default_scope('mmocr')
        dataset_cfg = dict(
            type='ICDAR2015Dataset',
            data_root=source,
            img_dir=img_dir,
            ann_dir=ann_dir,
            pipeline=[])
    else:
        cfg = Config.fromfile(source)
        init_default_scope(cfg.get('default_scope', 'mmocr'))
        dataset_cfg = cfg[f'{split}_dataloader'].dataset
    dataset = DATASETS.build(dataset_cfg)
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='K-means anchor base sizes and aspect ratios from a dataset')
    parser.add_argument('source', help='a config file, or an ICDAR2015-layout folder')
    parser.add_argument(
        '--split',
        default='train',
        choices=['train', 'val', 'test'],
        help='which dataloader of the config to read')
    parser.add_argument(
        '--img-dir',
        default='imgs',
        help='image folder (or zip) of a folder source, e.g. ch4_training_images')
    parser.add_argument(
        '--ann-dir',
        default='gts',
        help='ground-truth folder (or zip) of a folder source, e.g. '
        'ch4_training_localization_transcription_gt')
    parser.add_argument(
        '--num-sizes', type=int, default=6, help='number of base sizes (FPN levels)')
    parser.add_argument('--num-ratios', type=int, default=6, help='number of aspect ratios')
    parser.add_argument(
        '--input-size', type=int, help='measure words on images resized to fit this square')
    parser.add_argument(
        '--stretch',
        action='store_true',
        help='with --input-size, resize to the square without keeping the '
        'aspect ratio')
    parser.add_argument(
        '--include-ignored', action='store_true', help='also count don\'t-care (###) words')
    parser.add_argument('--seed', type=int, default=0, help='k-means seed')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    data_infos = load_data_infos(args.source, args.split, args.img_dir, args.ann_dir)
    widths, heights = word_sizes(data_infos, args.input_size, args.stretch, args.include_ignored)
    settings = anchor_settings(widths, heights, args.num_sizes, args.num_ratios, args.seed)
    source = args.source + (f' at input size {args.input_size}' if args.input_size else '')
    print(format_settings(settings, len(widths), source))


if __name__ == '__main__':
    main()
