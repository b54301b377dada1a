# Copyright (c) textboxes_retina authors.
"""How much of a dataset's text the demo's frozen backbone sees.

For every legible word (not ``###``) of ICDAR 2015-layout folders, the maximum of the PP-OCRv4
text probability map (``PPOCRDetFeatures``, the demo's backbone, with ``return_maps=True``)
inside the word's quad (``quad_map_max``). The demo's detector
(``MapRescoredTextBoxesRetina``) multiplies each quad's score by that maximum, so a word the
map does not see (maximum under ``--thr``) is hardly ever reported: the fraction of words seen
bounds the detector's recall. Prints, per folder, the number of words and the fraction seen,
in all and by word height (the shorter of the quad's two side edges, in the original image's
pixels, also with ``--scale``).

Usage::

    python tools/analysis_tools/text_map_coverage.py data/synthetic_text/val \\
        data/synthetic_text/test_ood tests/data/icdar2015_toy
    python tools/analysis_tools/text_map_coverage.py data/synthetic_text/test_ood --scale 2
    # the map of a trained model whose map learned too (e.g. the ..._ppocrv4-det-dbft_... config)
    python tools/analysis_tools/text_map_coverage.py data/synthetic_text/test_ood \\
        --config CONFIG --checkpoint work_dirs/.../iter_400.pth
"""
import argparse
from typing import Dict, List, Sequence

import cv2
import numpy as np
import torch

HEIGHT_BINS = (0, 10, 14, 20, 30, 60, float('inf'))
#: PaddleOCR's input normalisation (BGR images, ImageNet mean and std), the demo config's.
MEAN, STD = np.array([123.675, 116.28, 103.53]), np.array([58.395, 57.12, 57.375])


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('folders', nargs='+', help='ICDAR 2015-layout folders (imgs/, gts/)')
    parser.add_argument('--img-dir', default='imgs')
    parser.add_argument('--ann-dir', default='gts')
    parser.add_argument('--thr', type=float, default=0.3, help='a word is seen above this')
    parser.add_argument(
        '--scale', type=float, default=1.0, help='resize the images by this before the map')
    parser.add_argument('--max-images', type=int, default=None, help='the first N images only')
    parser.add_argument(
        '--config',
        default=None,
        help='the map of this config\'s backbone (default: the pretrained PP-OCRv4 one)')
    parser.add_argument(
        '--checkpoint',
        default=None,
        help='with --config: the trained weights of that config\'s model')
    args = parser.parse_args(argv)
    if args.checkpoint and not args.config:
        parser.error('--checkpoint needs --config (the model the weights belong to)')
    return args


def build_map_model(config=None, checkpoint=None):
    """The demo's backbone, returning the text probability map (its last output): the
    pretrained PP-OCRv4 one, or the backbone of ``config``'s model with ``checkpoint`` loaded
    into that model strictly (a trained model's map)."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmengine.runner import load_checkpoint
    from mmocr.registry import MODELS

    import textboxes_retina  # noqa: F401 (registers PPOCRDetFeatures)
    if config is None:
        with DefaultScope.overwrite_default_scope('mmocr'):
            return MODELS.build(
                dict(type='PPOCRDetFeatures', map_tensors=('sigmoid_0.tmp_0', ),
                     return_maps=True)).eval()
    model_cfg = Config.fromfile(config).model
    if not model_cfg.backbone.get('map_tensors'):
        raise SystemExit(f'{config}: its backbone has no map_tensors (no text map)')
    model_cfg.backbone.return_maps = True
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(model_cfg)
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.backbone.eval()


def probability_map(model, image: np.ndarray) -> torch.Tensor:
    """The ``(H, W)`` map of a BGR image, padded to multiples of 32 and cropped back."""
    height, width = image.shape[:2]
    padded = np.zeros((-(-height // 32) * 32, -(-width // 32) * 32, 3), np.float32)
    padded[:height, :width] = (image - MEAN) / STD
    with torch.no_grad():
        prob = model(torch.from_numpy(padded).permute(2, 0, 1)[None])[-1]
    return prob[0, 0, :height, :width]


def word_coverage(folder: str,
                  model,
                  img_dir: str = 'imgs',
                  ann_dir: str = 'gts',
                  scale: float = 1.0,
                  max_images=None) -> Dict[str, np.ndarray]:
    """Per legible word of ``folder``: its map maximum and its height in pixels."""
    from mmengine.registry import DefaultScope
    from mmocr.registry import DATASETS

    from textboxes_retina.models.utils import quad_map_max
    with DefaultScope.overwrite_default_scope('mmocr'):
        dataset = DATASETS.build(
            dict(
                type='ICDAR2015Dataset',
                data_root=folder,
                img_dir=img_dir,
                ann_dir=ann_dir,
                test_mode=True,
                pipeline=[]))
    maxima: List[np.ndarray] = []
    heights: List[np.ndarray] = []
    for index in range(len(dataset) if max_images is None else min(max_images, len(dataset))):
        info = dataset.get_data_info(index)
        quads = np.array([inst['polygon'] for inst in info['instances'] if not inst['ignore']],
                         np.float64).reshape(-1, 8)
        if not len(quads):
            continue
        image = cv2.imread(info['img_path'], cv2.IMREAD_COLOR)
        if image is None:
            raise FileNotFoundError(f'{info["img_path"]}: not an image')
        if scale != 1.0:
            image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        prob = probability_map(model, image.astype(np.float32))
        maxima.append(quad_map_max(prob, torch.from_numpy(quads * scale)).numpy())
        corners = quads.reshape(-1, 4, 2)
        heights.append(
            np.minimum(
                np.linalg.norm(corners[:, 3] - corners[:, 0], axis=1),
                np.linalg.norm(corners[:, 2] - corners[:, 1], axis=1)))
    return dict(
        maxima=np.concatenate(maxima) if maxima else np.zeros(0),
        heights=np.concatenate(heights) if heights else np.zeros(0))


def summary_lines(folder: str,
                  coverage: Dict[str, np.ndarray],
                  thr: float,
                  bins: Sequence[float] = HEIGHT_BINS) -> List[str]:
    """One line for the folder, then one per height bin with words in it."""
    seen = coverage['maxima'] > thr
    lines = [
        f'{folder}: {len(seen)} legible words, {seen.mean() if len(seen) else 0:.3f} '
        f'seen by the text map (max > {thr})'
    ]
    for low, high in zip(bins[:-1], bins[1:]):
        inside = (coverage['heights'] >= low) & (coverage['heights'] < high)
        if inside.any():
            lines.append(f'  height {low:g}-{high:g} px: {inside.sum()} words, '
                         f'{seen[inside].mean():.3f} seen')
    return lines


def main(argv=None) -> None:
    args = parse_args(argv)
    model = build_map_model(args.config, args.checkpoint)
    for folder in args.folders:
        coverage = word_coverage(folder, model, args.img_dir, args.ann_dir, args.scale,
                                 args.max_images)
        print('\n'.join(summary_lines(folder, coverage, args.thr)), flush=True)


if __name__ == '__main__':
    main()
