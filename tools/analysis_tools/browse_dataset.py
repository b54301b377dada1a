# Copyright (c) textboxes_retina authors.
"""Draw the quads of a dataset after its pipeline into images, to check data and augmentations.

Usage::

    python tools/analysis_tools/browse_dataset.py CONFIG --output-dir DIR
        [--split {train,val,test}] [--num N] [--cfg-options KEY=VALUE ...]

Each image is written as ``DIR/<index>_<image name>.jpg`` with cared words in green, don't-care
words in red and a dot on each quad's first vertex. The images are what the model is fed (after
the pipeline, before normalisation), so crops, rotations and resizes show as they happen. For
``val`` / ``test``, whose pipelines load the annotations after the resize (original-image
coordinates, like the rescaled predictions), the quads are scaled by ``scale_factor`` to the
image drawn.
"""
import argparse
import os
import os.path as osp
from typing import Sequence

import cv2
import numpy as np
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.utils import ProgressBar

from textboxes_retina.visualization import draw_quads

#: BGR colours of cared-for and don't-care words.
CARED = (0, 255, 0)
IGNORED = (0, 0, 255)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Draw the quads of a dataset after its pipeline')
    parser.add_argument('config', help='config file')
    parser.add_argument('--output-dir', required=True, help='folder for the drawn images')
    parser.add_argument(
        '--split',
        default='train',
        choices=['train', 'val', 'test'],
        help='which dataloader\'s dataset to browse')
    parser.add_argument('--num', type=int, default=20, help='how many samples to draw')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. train_dataloader.dataset.limit=5')
    return parser.parse_args(argv)


def draw_words(img: np.ndarray, polygons: Sequence[np.ndarray],
               ignored: Sequence[bool]) -> np.ndarray:
    """Draw words on a copy of a BGR image with :func:`textboxes_retina.visualization.draw_quads`:
    1 px outlines, a dot on each first vertex.

    Args:
        img (np.ndarray): ``(H, W, 3)`` image, any dtype (clipped to uint8).
        polygons (Sequence[np.ndarray]): ``(2k,)`` polygons.
        ignored (Sequence[bool]): Don't-care flags (red) vs cared words (green).

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8.
    """
    ignored = [bool(flag) for flag in ignored]
    canvas = draw_quads(
        img, [p for p, flag in zip(polygons, ignored) if not flag],
        CARED,
        line_width=1,
        vertex_radius=2)
    return draw_quads(
        canvas, [p for p, flag in zip(polygons, ignored) if flag],
        IGNORED,
        line_width=1,
        vertex_radius=2)


def browse(cfg: Config, output_dir: str, split: str = 'train', num: int = 20) -> list:
    """Run the dataset of ``cfg.<split>_dataloader`` and write ``num`` drawn samples.

    Returns:
        list[str]: The written files.
    """
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    from mmocr.registry import DATASETS
    dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
    os.makedirs(output_dir, exist_ok=True)
    written = []
    bar = ProgressBar(min(num, len(dataset)))
    for index in range(min(num, len(dataset))):
        item = dataset[index]
        sample = item['data_samples']
        img = item['inputs'].permute(1, 2, 0).numpy()
        instances = sample.gt_instances
        ignored = instances.ignored.tolist() if 'ignored' in instances else \
            [False] * len(instances.get('polygons', []))
        polygons = instances.get('polygons', [])
        if split != 'train' and 'scale_factor' in sample:
            # test pipelines load the annotations after the resize (original coordinates)
            scale = np.array(sample.scale_factor, dtype=np.float32)
            polygons = [(np.reshape(p, (-1, 2)) * scale).reshape(-1) for p in polygons]
        canvas = draw_words(img, polygons, ignored)
        name = osp.splitext(osp.basename(sample.metainfo.get('img_path', 'image')))[0]
        path = osp.join(output_dir, f'{index:04d}_{name}.jpg')
        cv2.imwrite(path, canvas)
        written.append(path)
        bar.update()
    print()
    return written


def main(argv=None) -> None:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)  # also imports cfg.custom_imports
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    written = browse(cfg, args.output_dir, args.split, args.num)
    print(f'{len(written)} images written to {args.output_dir}')


if __name__ == '__main__':
    main()
