"""Detect text in images: quadrilaterals as JSON and/or ICDAR txt, and drawn images.

Usage::

    python tools/infer.py CONFIG CHECKPOINT INPUT [INPUT ...] [--out-dir results/]
        [--formats json txt] [--txt-confidence] [--no-save-vis] [--score-thr 0.0]
        [--device cpu] [--batch-size 1] [--backend pytorch|onnxruntime --onnx model.onnx]
        [--cfg-options KEY=VALUE ...]

Each INPUT is an image, a folder (its images, sorted) or a quoted glob pattern
(``'data/*.jpg'``). Runs MMOCR's ``TextDetInferencer`` with the config's test pipeline and
writes, for an image ``NAME.ext`` (quads scoring at least ``--score-thr``):

- ``OUT_DIR/preds/NAME.json``: ``{"polygons": [[x1, y1, ..., x4, y4], ...], "scores": [...]}``;
- ``OUT_DIR/txt/res_NAME.txt``: one ``x1,y1,x2,y2,x3,y3,x4,y4`` line per quad, the ICDAR 2015
  Challenge 4 submission format as the submission writer writes it (coordinates truncated to
  integers, clockwise; ``textboxes_retina.evaluation.format_submission_lines``), with a
  ``,score`` column only with ``--txt-confidence``;
- ``OUT_DIR/vis/NAME.jpg``: the image with the predicted quads outlined in red.

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
from typing import Dict, List, Sequence

import mmcv
import numpy as np
from mmengine.config import Config, DictAction

from textboxes_retina.engine import QuadVisualizationHook
from textboxes_retina.evaluation import format_submission_lines, submission_file_name

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.gif', '.tif', '.tiff', '.webp')


def parse_args(argv=None):
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Detect text quadrilaterals in images')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('inputs', nargs='+', help='images, folders or quoted glob patterns')
    parser.add_argument('--out-dir', default='results', help='output folder')
    parser.add_argument('--formats', nargs='+', default=['json', 'txt'], choices=['json', 'txt'],
                        help='prediction files to write')
    parser.add_argument('--no-save-vis', action='store_true', help='do not write drawn images')
    parser.add_argument('--score-thr', type=float, default=0.0,
                        help='keep quads scoring at least this (on top of the model\'s own '
                        'test_cfg threshold)')
    parser.add_argument('--device', help='e.g. cpu or cuda:0; defaults to CUDA when available')
    parser.add_argument('--batch-size', type=int, default=1, help='images per forward pass')
    parser.add_argument('--txt-confidence', action='store_true',
                        help='append each quad\'s score to the txt lines (off: the official '
                        'submission format)')
    parser.add_argument('--backend', default='pytorch', choices=['pytorch', 'onnxruntime'],
                        help='run the network in PyTorch or, from --onnx, in ONNX Runtime')
    parser.add_argument('--onnx', help='the ONNX file of --backend onnxruntime '
                        '(tools/deployment/pytorch2onnx.py)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, e.g. model.test_cfg.score_thr=0.3')
    args = parser.parse_args(argv)
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
        found = [path for path in found
                 if osp.isfile(path) and path.lower().endswith(IMG_EXTENSIONS)]
        if not found:
            raise FileNotFoundError(f'no image found for input {item!r}')
        images += [path for path in found if path not in images]
    return images


def icdar_lines(prediction: Dict, with_confidence: bool = False) -> List[str]:
    """ICDAR 2015 submission lines of one image, by the submission writer's code."""
    return format_submission_lines(
        np.asarray(prediction['polygons'], np.float64).reshape(-1, 8),
        prediction['scores'] if with_confidence else None, protocol='ic15')


def write_predictions(image: str, prediction: Dict, out_dir: str, formats: Sequence[str],
                      with_confidence: bool = False) -> None:
    """Write one image's prediction as ``preds/NAME.json`` and/or
    ``txt/res_NAME.txt`` under ``out_dir``."""
    name = osp.splitext(osp.basename(image))[0]
    if 'json' in formats:
        os.makedirs(osp.join(out_dir, 'preds'), exist_ok=True)
        with open(osp.join(out_dir, 'preds', f'{name}.json'), 'w') as f:
            json.dump(dict(img_path=image, **prediction), f)
    if 'txt' in formats:
        os.makedirs(osp.join(out_dir, 'txt'), exist_ok=True)
        with open(osp.join(out_dir, 'txt', submission_file_name(image)), 'w') as f:
            f.writelines(line + '\n' for line in icdar_lines(prediction, with_confidence))


def main(argv=None):
    args = parse_args(argv)
    images = collect_images(args.inputs)
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
    samples = inferencer(images, batch_size=args.batch_size, return_datasamples=True)
    drawer = QuadVisualizationHook(draw_gt=False, score_thr=args.score_thr)
    num_quads = 0
    for image, sample in zip(images, samples['predictions']):
        prediction = inferencer.pred2dict(sample)
        keep = [i for i, score in enumerate(prediction['scores']) if score >= args.score_thr]
        prediction = dict(polygons=[prediction['polygons'][i] for i in keep],
                          scores=[prediction['scores'][i] for i in keep])
        write_predictions(image, prediction, args.out_dir, args.formats, args.txt_confidence)
        if not args.no_save_vis:
            rgb = mmcv.imread(image, channel_order='rgb')
            drawn = drawer.draw_sample(inferencer.visualizer, rgb, sample)
            name = osp.splitext(osp.basename(image))[0]
            mmcv.imwrite(drawn[..., ::-1], osp.join(args.out_dir, 'vis', f'{name}.jpg'))
        num_quads += len(keep)
    print(f'{num_quads} quadrilateral(s) in {len(images)} image(s)')
    outputs = {'json': 'preds', 'txt': 'txt'}
    for fmt in args.formats:
        print(f'  {fmt:4}: {osp.join(args.out_dir, outputs[fmt])}')
    if not args.no_save_vis:
        print(f'  vis : {osp.join(args.out_dir, "vis")} (predicted quads in red)')


if __name__ == '__main__':
    main()
