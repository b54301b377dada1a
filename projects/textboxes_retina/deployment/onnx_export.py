# Copyright (c) textboxes_retina authors.
"""Export a detector's network (backbone, neck, dense head) to ONNX.

The graph ends where the head's ``forward`` ends: its per-level classification score and
regression maps (for :class:`~textboxes_retina.models.dense_heads.RefineTextBoxesHead` also the
ARM's). Decoding, quad NMS and rescaling stay in Python: they are data-dependent (top-k over a
score threshold, exact convex-quad NMS) and are reused as they are by
:class:`~textboxes_retina.deployment.ONNXRuntimeTextDetector`, so both backends share one
post-processing.

Outputs are named ``<group>_<level>``, where the groups are the names of the head's
``predict_by_feat`` arguments they feed (``cls_scores``, ``bbox_preds``[, ``arm_cls_scores``,
``arm_bbox_preds``]) and levels count from the finest. Batch, height and width are dynamic.
"""
import inspect
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from torch import Tensor

#: The ONNX opset of the export (ONNX Runtime >= 1.11 runs it; the TorchScript exporter of
#: torch 2.13 supports 7-20).
ONNX_OPSET = 17
INPUT_NAME = 'inputs'
#: ``metadata_props`` keys written into the exported model.
META_GROUPS = 'textboxes_retina.output_groups'
META_NUM_LEVELS = 'textboxes_retina.num_levels'
META_HEAD = 'textboxes_retina.head_type'


def head_output_groups(head: nn.Module, num_groups: int) -> List[str]:
    """Names of the head's outputs: the first ``num_groups`` arguments of its
    ``predict_by_feat`` (which takes them in ``forward``'s order).

    Args:
        head (nn.Module): A dense head (mmdet ``BaseDenseHead`` style).
        num_groups (int): How many lists ``head.forward`` returns.

    Returns:
        list[str]: E.g. ``['cls_scores', 'bbox_preds']``.
    """
    names = list(inspect.signature(head.predict_by_feat).parameters)[:num_groups]
    if len(names) < num_groups:
        raise ValueError(f'{type(head).__name__}.forward returns {num_groups} lists but its '
                         f'predict_by_feat takes only {names}')
    return names


def head_output_names(groups: Sequence[str], num_levels: int) -> List[str]:
    """``['cls_scores_0', ..., 'cls_scores_{L-1}', 'bbox_preds_0', ...]``."""
    return [f'{group}_{level}' for group in groups for level in range(num_levels)]


def check_exportable(detector: nn.Module) -> None:
    """Raise ``TypeError`` unless ``detector`` is an mmdet-style single-stage detector whose
    predictions are its head's post-processed outputs (what the exported network and
    ``OnnxRuntimeDetector`` compute): not ``MapRescoredTextBoxesRetina``, which rescores them."""
    from textboxes_retina.models.detectors import MapRescoredTextBoxesRetina
    if not (hasattr(detector, 'bbox_head') and hasattr(detector, '_forward')):
        raise TypeError(
            f'ONNX export takes single-stage detectors with a bbox_head (TextBoxesRetina); '
            f'got {type(detector).__name__}')
    if isinstance(detector, MapRescoredTextBoxesRetina):
        raise TypeError(
            f'{type(detector).__name__} multiplies its scores by a text probability map at '
            f'predict time, which the exported network (the head\'s raw outputs) and '
            f'OnnxRuntimeDetector do not: the ONNX model would report other detections, so '
            f'export is refused')


class HeadOutputs(nn.Module):
    """The detector's network as a module with one tensor input and a flat tuple of outputs.

    ``forward(inputs)`` is ``detector._forward(inputs)`` (mmdet's ``mode='tensor'``: backbone,
    neck, head) with the head's lists of per-level maps concatenated group after group, the
    form ``torch.onnx.export`` takes.

    Args:
        detector (nn.Module): An mmdet-style single-stage detector with a ``bbox_head`` (such as
            :class:`~textboxes_retina.models.detectors.TextBoxesRetina`), in eval mode.
    """

    def __init__(self, detector: nn.Module) -> None:
        super().__init__()
        check_exportable(detector)
        self.detector = detector

    def forward(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """Per-level maps of every head output group, flattened.

        Args:
            inputs (Tensor): Preprocessed (normalised, padded) images, (B, 3, H, W).

        Returns:
            tuple[Tensor]: ``G * L`` maps, each (B, C_g, H_l, W_l).
        """
        outputs = self.detector._forward(inputs)
        return tuple(level for group in outputs for level in group)


def _structure(detector: nn.Module, inputs: Tensor) -> Tuple[List[str], int]:
    """Group names and number of levels of the head's outputs on ``inputs``."""
    with torch.no_grad():
        outputs = detector._forward(inputs)
    num_levels = len(outputs[0])
    if any(len(group) != num_levels for group in outputs):
        raise ValueError(f'{type(detector.bbox_head).__name__}.forward returns lists of '
                         f'different lengths {[len(group) for group in outputs]}')
    return head_output_groups(detector.bbox_head, len(outputs)), num_levels


def export_onnx(detector: nn.Module,
                out_file: str,
                shape: Sequence[int] = (384, 384),
                opset: int = ONNX_OPSET,
                check: bool = True) -> Dict:
    """Export ``detector``'s network (see :class:`HeadOutputs`) to ``out_file``.

    Uses torch's TorchScript-based exporter (``dynamo=False``), which writes dynamic axes as
    ``Shape`` arithmetic, so one file runs at every input size, and needs no other package than
    ``onnx`` (for the checker and the metadata).

    Args:
        detector (nn.Module): The detector, weights loaded. It is put into eval mode.
        out_file (str): Output ``.onnx`` (parent folders are created).
        shape (Sequence[int]): ``(height, width)`` of the example input that is traced (any
            multiple of the data preprocessor's ``pad_size_divisor``). Defaults to (384, 384).
        opset (int): ONNX opset. Defaults to :data:`ONNX_OPSET`.
        check (bool): Run ``onnx.checker.check_model`` (full check) on the result. Defaults to
            True.

    Returns:
        dict: ``input_name``, ``output_names``, ``groups``, ``num_levels``, ``opset``,
        ``traced_shape``.
    """
    import onnx
    check_exportable(detector)
    detector = detector.eval()
    device = next(detector.parameters()).device
    example = torch.randn(1, 3, *shape, device=device)
    groups, num_levels = _structure(detector, example)
    output_names = head_output_names(groups, num_levels)
    dynamic_axes = {INPUT_NAME: {0: 'batch', 2: 'height', 3: 'width'}}
    for name in output_names:
        level = name.rsplit('_', 1)[1]
        dynamic_axes[name] = {0: 'batch', 2: f'height_{level}', 3: f'width_{level}'}
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    # The exporter restores the wrapper's training flag afterwards (recursively): an eval-mode
    # wrapper keeps the detector in eval mode (a fresh module is in training mode).
    with torch.no_grad():
        torch.onnx.export(
            HeadOutputs(detector).eval(), (example, ),
            out_file,
            dynamo=False,
            input_names=[INPUT_NAME],
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=opset)
    model = onnx.load(out_file)
    for key, value in ((META_GROUPS, ','.join(groups)), (META_NUM_LEVELS, str(num_levels)),
                       (META_HEAD, type(detector.bbox_head).__name__)):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, out_file)
    if check:
        onnx.checker.check_model(out_file, full_check=True)
    return dict(
        input_name=INPUT_NAME,
        output_names=output_names,
        groups=groups,
        num_levels=num_levels,
        opset=opset,
        traced_shape=list(shape))


def verify_onnx(detector: nn.Module,
                onnx_file: str,
                shapes: Sequence[Sequence[int]] = ((384, 512), (256, 256)),
                seed: int = 0,
                session=None) -> List[Dict]:
    """Run the network in PyTorch and in ONNX Runtime on the same random inputs.

    Args:
        detector (nn.Module): The exported detector (eval mode).
        onnx_file (str): Its ONNX file.
        shapes (Sequence[Sequence[int]]): ``(height, width)`` of the inputs to compare; use
            other sizes than the traced one to check the dynamic axes. Defaults to
            ``((384, 512), (256, 256))``.
        seed (int): Seed of the inputs. Defaults to 0.
        session (onnxruntime.InferenceSession, optional): A session to reuse. Defaults to a
            new single-threaded CPU session.

    Returns:
        list[dict]: Per shape ``shape``, ``max_abs_diff`` (over every output map) and
        ``max_abs_value`` (the largest PyTorch output, for scale).
    """
    from .onnxruntime_detector import make_session
    session = session or make_session(onnx_file, num_threads=1)
    output_names = [output.name for output in session.get_outputs()]
    device = next(detector.parameters()).device
    generator = torch.Generator().manual_seed(seed)
    rows = []
    for shape in shapes:
        inputs = torch.randn(1, 3, *shape, generator=generator)
        with torch.no_grad():
            expected = HeadOutputs(detector).eval()(inputs.to(device))
        got = session.run(output_names, {INPUT_NAME: inputs.numpy()})
        diffs = [float(np.abs(e.cpu().numpy() - g).max()) for e, g in zip(expected, got)]
        rows.append(
            dict(
                shape=list(shape),
                max_abs_diff=max(diffs),
                max_abs_value=max(float(e.abs().max()) for e in expected)))
    return rows


def read_metadata(onnx_file: str, session=None) -> Dict[str, str]:
    """The ``textboxes_retina.*`` metadata of an exported file (empty for other files).

    Args:
        onnx_file (str): The file.
        session (onnxruntime.InferenceSession, optional): Its session, read instead of the file.

    Returns:
        dict[str, str]: Metadata key -> value.
    """
    if session is not None:
        props: Optional[Dict] = session.get_modelmeta().custom_metadata_map
    else:
        import onnx
        props = {
            p.key: p.value
            for p in onnx.load(onnx_file, load_external_data=False).metadata_props
        }
    return {k: v for k, v in (props or {}).items() if k.startswith('textboxes_retina.')}
