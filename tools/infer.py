# Copyright (c) textboxes_retina authors.
"""Detect text in images: quadrilaterals as JSON and/or ICDAR txt, and drawn images.

Usage::

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] [--out-dir results/]
        [--formats json txt] [--no-save-vis] [--score-thr 0.0] [--device cpu]
        [--batch-size 1] [--cfg-options KEY=VALUE ...]

Each INPUT is an image, a folder (its images, sorted) or a quoted glob pattern
(``'data/*.jpg'``). Runs MMOCR's ``TextDetInferencer`` with the config's test pipeline and
writes, for an image ``NAME.ext`` (quads scoring at least ``--score-thr``):

- ``OUT_DIR/preds/NAME.json``: ``{"polygons": [[x1, y1, ..., x4, y4], ...], "scores": [...]}``;
- ``OUT_DIR/txt/res_NAME.txt``: one ``x1,y1,x2,y2,x3,y3,x4,y4`` line per quad, the ICDAR 2015
  Challenge 4 submission format as the submission writer writes it (coordinates truncated to
  integers, clockwise; ``textboxes_retina.evaluation.format_submission_lines``), with a
  ``,score`` column only with ``--txt-confidence``;
- ``OUT_DIR/vis/NAME.jpg``: the image with the predicted quads outlined in red
  (``textboxes_retina.visualization.draw_quads``, as the visualisation hook draws them).

Images are read as image viewers show them (EXIF orientation applied); the quads and the drawn
image are in that orientation. Before any work: two inputs with the same name stem (their
outputs would overwrite each other), an ``--out-dir`` that is a file, and (``--strict-load``, the
default) a checkpoint whose parameters do not fit the config's model are refused with a message.
An image that cannot be read (empty, corrupt) is reported by name and skipped; the other images'
outputs are written and the exit status is 1.

``--backend onnxruntime --onnx model.onnx`` runs the network exported by
``tools/deployment/pytorch2onnx.py`` in ONNX Runtime (CPU), with the config's preprocessing and
its head's decoding and quad NMS (``textboxes_retina.deployment.ONNXRuntimeTextDetector``);
CHECKPOINT is then not read (the weights are in the ONNX file).
"""
import argparse
import glob
import json
import os
import os.path as osp
import sys
from collections import defaultdict
from typing import Dict, Iterator, List, Optional, Sequence

import mmcv
import numpy as np
from mmengine.config import Config

from textboxes_retina.evaluation import format_submission_lines, stack_quads, submission_file_name
from textboxes_retina.utils import (CfgOptionsAction, add_strict_load_argument,
                                    check_checkpoint_fits, positive_int)
from textboxes_retina.visualization import PRED_COLOR, draw_quads

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.gif', '.tif', '.tiff', '.webp')


def parse_args(argv=None):
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Detect text quadrilaterals in images')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('inputs', nargs='+', help='images, folders or quoted glob patterns')
    parser.add_argument('--out-dir', default='results', help='output folder')
    parser.add_argument(
        '--formats',
        nargs='+',
        default=['json', 'txt'],
        choices=['json', 'txt'],
        help='prediction files to write')
    parser.add_argument('--no-save-vis', action='store_true', help='do not write drawn images')
    parser.add_argument(
        '--score-thr',
        type=float,
        default=0.0,
        help='keep quads scoring at least this (on top of the model\'s own '
        'test_cfg threshold)')
    parser.add_argument('--device', help='e.g. cpu or cuda:0; defaults to CUDA when available')
    parser.add_argument(
        '--batch-size', type=positive_int, default=1, help='images per forward pass (at least 1)')
    add_strict_load_argument(parser)
    parser.add_argument(
        '--txt-confidence',
        action='store_true',
        help='append each quad\'s score to the txt lines (off: the official '
        'submission format)')
    parser.add_argument(
        '--backend',
        default='pytorch',
        choices=['pytorch', 'onnxruntime'],
        help='run the network in PyTorch or, from --onnx, in ONNX Runtime')
    parser.add_argument(
        '--onnx',
        help='the ONNX file of --backend onnxruntime '
        '(tools/deployment/pytorch2onnx.py)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override settings of the config, e.g. model.test_cfg.score_thr=0.3')
    args = parser.parse_args(argv)
    if osp.exists(args.out_dir) and not osp.isdir(args.out_dir):
        parser.error(f'--out-dir {args.out_dir} exists and is not a folder')
    if (args.backend == 'onnxruntime') != (args.onnx is not None):
        parser.error('--backend onnxruntime and --onnx FILE go together')
    return args


def collect_images(inputs: Sequence[str]) -> List[str]:
    """Expand images, folders and glob patterns into a list of image paths.

    Args:
        inputs (Sequence[str]): Image files, folders (their image files, not
            recursive) or glob patterns.

    Returns:
        list[str]: Image paths in input order, each folder or pattern sorted,
        without repetitions.

    Raises:
        FileNotFoundError: An input matches no image.
    """
    images: List[str] = []
    for item in inputs:
        if osp.isdir(item):
            found = [osp.join(item, name) for name in sorted(os.listdir(item))]
        elif osp.isfile(item):
            found = [item]
        else:
            found = sorted(glob.glob(item, recursive=True))
        found = [
            path for path in found if osp.isfile(path) and path.lower().endswith(IMG_EXTENSIONS)
        ]
        if not found:
            raise FileNotFoundError(f'no image found for input {item!r}')
        images += [path for path in found if path not in images]
    return images


def output_names(images: Sequence[str]) -> List[str]:
    """The output name (file stem) of each image; refuses two images with one stem.

    Args:
        images (Sequence[str]): Image paths.

    Returns:
        list[str]: ``NAME`` of ``NAME.ext`` for each image.

    Raises:
        ValueError: Two images share a stem (``a/img_1.jpg`` and ``b/img_1.png``): their
            ``preds/img_1.json``, ``txt/res_img_1.txt`` and ``vis/img_1.jpg`` would overwrite
            each other. The message lists every clash.
    """
    by_name = defaultdict(list)
    for image in images:
        by_name[osp.splitext(osp.basename(image))[0]].append(image)
    clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    if clashes:
        listed = '; '.join(f'{name}: {", ".join(paths)}' for name, paths in clashes.items())
        raise ValueError(
            f'{len(clashes)} output name(s) shared by several input images, whose outputs would '
            f'overwrite each other: {listed}. Run them separately (another --out-dir) or rename '
            'them.')
    return [osp.splitext(osp.basename(image))[0] for image in images]


def read_image(path: str) -> Optional[np.ndarray]:
    """Read an image as BGR with its EXIF orientation applied, or None if it cannot be read."""
    try:
        image = mmcv.imread(path, flag='color')
    except Exception:  # OpenCV asserts on empty buffers; PIL-free path, any failure means None
        return None
    return image if image is not None and image.size else None


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    """Consecutive slices of ``items`` of length ``size`` (the last may be shorter)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


def icdar_lines(prediction: Dict, with_confidence: bool = False) -> List[str]:
    """ICDAR 2015 submission lines of one image, by the submission writer's code."""
    return format_submission_lines(
        stack_quads(prediction['polygons'], 'predicted polygons'),
        prediction['scores'] if with_confidence else None,
        protocol='ic15')


def write_predictions(image: str,
                      prediction: Dict,
                      out_dir: str,
                      formats: Sequence[str],
                      name: Optional[str] = None,
                      with_confidence: bool = False) -> None:
    """Write one image's prediction as ``preds/NAME.json`` and/or
    ``txt/res_NAME.txt`` under ``out_dir`` (``NAME``: ``name``, else the image's stem)."""
    name = name or osp.splitext(osp.basename(image))[0]
    if 'json' in formats:
        os.makedirs(osp.join(out_dir, 'preds'), exist_ok=True)
        with open(osp.join(out_dir, 'preds', f'{name}.json'), 'w') as f:
            json.dump(dict(img_path=image, **prediction), f)
    if 'txt' in formats:
        os.makedirs(osp.join(out_dir, 'txt'), exist_ok=True)
        with open(osp.join(out_dir, 'txt', submission_file_name(name)), 'w') as f:
            f.writelines(line + '\n' for line in icdar_lines(prediction, with_confidence))


def main(argv=None) -> int:
    """Run the tool; returns the number of images that could not be read (skipped)."""
    args = parse_args(argv)
    images = collect_images(args.inputs)
    names = output_names(images)  # before any work: clashing outputs
    cfg = Config.fromfile(args.config)  # imports textboxes_retina (custom_imports)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    # Drawn images are written here, not through visualiser backends.
    cfg.visualizer.vis_backends = None
    from mmocr.apis import TextDetInferencer

    print(f'Detecting text in {len(images)} image(s) with {args.config}')
    weights = args.checkpoint
    if args.backend == 'onnxruntime':
        from textboxes_retina.deployment import onnxruntime_model_config
        cfg.model, weights = onnxruntime_model_config(cfg.model, args.onnx), None
    inferencer = TextDetInferencer(model=cfg, weights=weights, device=args.device)
    if args.strict_load and weights is not None:
        check_checkpoint_fits(inferencer.model, weights)
    num_quads, skipped = 0, []
    for batch in chunks(list(zip(images, names)), args.batch_size):
        loaded = []
        for image, name in batch:
            array = read_image(image)
            if array is None:
                print(
                    f'WARNING: cannot read {image} (empty or corrupt image file); skipped',
                    file=sys.stderr)
                skipped.append(image)
            else:
                loaded.append((image, name, array))
        if not loaded:
            continue
        samples = inferencer([array for _, _, array in loaded],
                             batch_size=len(loaded),
                             return_datasamples=True,
                             progress_bar=False)['predictions']
        for (image, name, array), sample in zip(loaded, samples):
            num_quads += write_outputs(args, inferencer, image, name, array, sample)
    print(f'{num_quads} quadrilateral(s) in {len(images) - len(skipped)} image(s)')
    outputs = {'json': 'preds', 'txt': 'txt'}
    for fmt in args.formats:
        print(f'  {fmt:4}: {osp.join(args.out_dir, outputs[fmt])}')
    if not args.no_save_vis:
        print(f'  vis : {osp.join(args.out_dir, "vis")} (predicted quads in red)')
    if skipped:
        print(
            f'WARNING: {len(skipped)} image(s) could not be read and were skipped: ' +
            ', '.join(skipped),
            file=sys.stderr)
    return len(skipped)


def write_outputs(args, inferencer, image: str, name: str, array: np.ndarray, sample) -> int:
    """Write the prediction files (and drawn image) of one image; returns the quads kept.

    Args:
        args: The parsed command line (``score_thr``, ``out_dir``, ``formats``,
            ``no_save_vis``).
        inferencer: The ``TextDetInferencer`` (its ``pred2dict``).
        image (str): The image path, written into the JSON.
        name (str): Output name (see :func:`output_names`).
        array (np.ndarray): The BGR image the model saw, ``(H, W, 3)``.
        sample (TextDetDataSample): Its prediction.
    """
    prediction = inferencer.pred2dict(sample)
    keep = [i for i, score in enumerate(prediction['scores']) if score >= args.score_thr]
    prediction = dict(
        polygons=[prediction['polygons'][i] for i in keep],
        scores=[prediction['scores'][i] for i in keep])
    write_predictions(image, prediction, args.out_dir, args.formats, name, args.txt_confidence)
    if not args.no_save_vis:
        drawn = draw_quads(array[..., ::-1], prediction['polygons'], PRED_COLOR)  # RGB
        mmcv.imwrite(drawn[..., ::-1], osp.join(args.out_dir, 'vis', f'{name}.jpg'))
    return len(keep)


if __name__ == '__main__':
    sys.exit(1 if main() else 0)
