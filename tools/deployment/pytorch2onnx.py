# Copyright (c) textboxes_retina authors.
"""Export a textboxes_retina detector's network to ONNX and check it against PyTorch.

Usage::

    python tools/deployment/pytorch2onnx.py CONFIG CHECKPOINT --out model.onnx
        [--shape 384 384] [--opset 17] [--verify-shapes 384 512 256 256] [--no-verify]
        [--cfg-options KEY=VALUE ...]

The graph takes the preprocessed image batch ``inputs`` (B, 3, H, W), normalised and padded by
the config's data preprocessor (height and width multiples of its ``pad_size_divisor``; batch,
height and width are dynamic) and returns the head's per-level maps, named ``cls_scores_<l>``
and ``bbox_preds_<l>`` (the refine head adds ``arm_cls_scores_<l>`` and ``arm_bbox_preds_<l>``).
Decoding, quad NMS and rescaling are not in the graph: ``tools/infer.py --backend onnxruntime
--onnx model.onnx`` runs them with the PyTorch head's own code
(``textboxes_retina.deployment.ONNXRuntimeTextDetector``).

After the export the file goes through ``onnx.checker.check_model(full_check=True)`` and, unless
``--no-verify``, ONNX Runtime and PyTorch run the network on random inputs of other sizes than
the traced one; the largest absolute difference of the maps is printed and must stay under
``--atol``.

Needs ``onnx`` and ``onnxruntime``: ``pip install -r requirements/deploy.txt``.
"""
import argparse
import sys

from mmengine.config import Config, DictAction


def parse_args(argv=None):
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Export a detector network to ONNX')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='output .onnx file')
    parser.add_argument(
        '--shape',
        nargs=2,
        type=int,
        default=[384, 384],
        metavar=('HEIGHT', 'WIDTH'),
        help='traced input size')
    parser.add_argument('--opset', type=int, default=None, help='ONNX opset (default 17)')
    parser.add_argument(
        '--verify-shapes',
        nargs='+',
        type=int,
        default=[384, 512, 256, 256],
        help='HEIGHT WIDTH pairs compared between PyTorch and ONNX Runtime')
    parser.add_argument(
        '--atol',
        type=float,
        default=1e-3,
        help='largest absolute difference of the maps accepted by the check')
    parser.add_argument('--no-verify', action='store_true', help='skip the ONNX Runtime check')
    parser.add_argument('--device', default='cpu', help='device the model is traced on')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, e.g. model.test_cfg.score_thr=0.3')
    args = parser.parse_args(argv)
    if len(args.verify_shapes) % 2:
        parser.error('--verify-shapes takes HEIGHT WIDTH pairs')
    return args


def build_detector(config: str, checkpoint: str, cfg_options=None, device: str = 'cpu'):
    """The config's detector with the checkpoint's weights (strictly), in eval mode."""
    from mmengine.registry import DefaultScope
    from mmengine.runner import load_checkpoint
    from mmocr.registry import MODELS
    cfg = Config.fromfile(config)  # imports textboxes_retina (custom_imports)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmocr')):
        model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.to(device).eval()


def main(argv=None):
    args = parse_args(argv)
    from textboxes_retina.deployment import ONNX_OPSET, export_onnx, verify_onnx
    from textboxes_retina.deployment.onnx_export import check_exportable
    model = build_detector(args.config, args.checkpoint, args.cfg_options, args.device)
    try:
        check_exportable(model)
    except TypeError as error:
        sys.exit(f'pytorch2onnx: {args.config}: {error}')
    info = export_onnx(model, args.out, args.shape, args.opset or ONNX_OPSET)
    print(f'{args.out}: opset {info["opset"]}, input {info["input_name"]} (batch, 3, height, '
          f'width), {len(info["output_names"])} outputs: {", ".join(info["output_names"])}; '
          'onnx.checker passed')
    if not args.no_verify:
        shapes = list(zip(args.verify_shapes[0::2], args.verify_shapes[1::2]))
        rows = verify_onnx(model, args.out, shapes)
        info['verify'] = rows
        for row in rows:
            print(f'  ONNX Runtime vs PyTorch at {row["shape"][0]}x{row["shape"][1]}: max abs '
                  f'diff {row["max_abs_diff"]:.3g} (largest map value {row["max_abs_value"]:.3g})')
        worst = max(row['max_abs_diff'] for row in rows)
        if worst > args.atol:
            sys.exit(f'pytorch2onnx: ONNX Runtime differs from PyTorch by {worst:.3g} > --atol '
                     f'{args.atol}; see the table above')
    return info


if __name__ == '__main__':
    main()
