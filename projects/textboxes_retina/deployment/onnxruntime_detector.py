# Copyright (c) textboxes_retina authors.
"""A text detector whose network runs in ONNX Runtime and whose pre- and post-processing are the
PyTorch detector's own."""
import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmdet.utils import ConfigType
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS
from torch import Tensor

from .onnx_export import (INPUT_NAME, META_GROUPS, META_HEAD, META_NUM_LEVELS, head_output_groups,
                          read_metadata)

INSTALL_HINT = 'install the deployment extras: pip install -r requirements/deploy.txt'


def make_session(onnx_file: str,
                 num_threads: Optional[int] = None,
                 providers: Optional[Sequence[str]] = None):
    """An ONNX Runtime inference session.

    Args:
        onnx_file (str): The model.
        num_threads (int, optional): Intra-op threads (one inter-op thread). Defaults to ONNX
            Runtime's choice (one per physical core).
        providers (Sequence[str], optional): Execution providers in order of preference.
            Defaults to ``['CPUExecutionProvider']``, which every onnxruntime build has.

    Returns:
        onnxruntime.InferenceSession: The session.
    """
    try:
        import onnxruntime as ort
    except ImportError as error:
        raise ImportError(f'ONNX Runtime inference needs onnxruntime: {INSTALL_HINT}') from error
    options = ort.SessionOptions()
    options.inter_op_num_threads = 1
    if num_threads:
        options.intra_op_num_threads = int(num_threads)
    return ort.InferenceSession(
        onnx_file, sess_options=options, providers=list(providers or ['CPUExecutionProvider']))


@MODELS.register_module()
class ONNXRuntimeTextDetector(BaseModel):
    """Run an exported network (``tools/deployment/pytorch2onnx.py``) in ONNX Runtime, with
    the PyTorch detector's data preprocessor and its head's decoding, quad NMS and rescaling.

    The PyTorch detector is built from ``detector`` (its weights are not used: the network's
    are in the ONNX file) for its ``data_preprocessor``, ``bbox_head.predict_by_feat`` (same
    ``test_cfg``) and ``add_pred_to_datasample``, so ``test_step`` gives the same
    ``TextDetDataSample.pred_instances`` (``polygons``, ``scores``, ``labels``, ``bboxes``) as
    the PyTorch detector, and MMOCR's inferencer, metrics and visualiser take it unchanged.
    Build it from a config with :func:`onnxruntime_model_config`.

    Args:
        onnx_file (str): The exported network.
        detector (dict): Config of the PyTorch detector the file was exported from.
        num_threads (int, optional): ONNX Runtime intra-op threads. Defaults to ONNX Runtime's
            choice.
        providers (Sequence[str], optional): ONNX Runtime execution providers. Defaults to
            ``['CPUExecutionProvider']``.
        init_cfg (dict, optional): Unused (nothing to initialise). Defaults to None.
    """

    def __init__(self,
                 onnx_file: str,
                 detector: ConfigType,
                 num_threads: Optional[int] = None,
                 providers: Optional[Sequence[str]] = None,
                 init_cfg: Optional[Dict] = None) -> None:
        with DefaultScope.overwrite_default_scope('mmocr'):  # our configs' scope
            detector = MODELS.build(copy.deepcopy(detector))
        super().__init__(data_preprocessor=detector.data_preprocessor, init_cfg=init_cfg)
        self.detector = detector
        self.onnx_file = onnx_file
        self.session = make_session(onnx_file, num_threads, providers)
        self.output_names = [output.name for output in self.session.get_outputs()]
        self.groups, self.num_levels = self._check_outputs()

    def _check_outputs(self) -> Tuple[List[str], int]:
        """The file's output groups and levels, checked against the config's head."""
        head = self.detector.bbox_head
        meta = read_metadata(self.onnx_file, self.session)
        if META_GROUPS not in meta:
            raise ValueError(f'{self.onnx_file}: no {META_GROUPS} metadata; export the model '
                             'with tools/deployment/pytorch2onnx.py')
        groups = meta[META_GROUPS].split(',')
        num_levels = int(meta[META_NUM_LEVELS])
        expected = head_output_groups(head, len(groups))
        levels = head.prior_generator.num_levels
        if (groups != expected or num_levels != levels
                or meta.get(META_HEAD) != type(head).__name__):
            raise ValueError(
                f'{self.onnx_file} was exported from a {meta.get(META_HEAD)} with outputs '
                f'{groups} on {num_levels} levels, but the config builds a '
                f'{type(head).__name__} with {expected} on {levels} levels: pass the config '
                'the file was exported from')
        return groups, num_levels

    def _forward(self, inputs: Tensor, data_samples=None) -> Tuple[List[Tensor], ...]:
        """The network's outputs, as the PyTorch head's ``forward`` returns them.

        Args:
            inputs (Tensor): Preprocessed images, (B, 3, H, W), on any device.
            data_samples: Unused.

        Returns:
            tuple[list[Tensor]]: One list of per-level maps per output group (e.g.
            ``(cls_scores, bbox_preds)``), on the device of ``inputs``.
        """
        arrays = self.session.run(self.output_names,
                                  {INPUT_NAME: inputs.detach().float().cpu().numpy()})
        maps = [torch.from_numpy(array).to(inputs.device) for array in arrays]
        levels = self.num_levels
        return tuple(maps[g * levels:(g + 1) * levels] for g in range(len(self.groups)))

    def predict(self, inputs: Tensor, data_samples: Sequence, rescale: bool = True) -> Sequence:
        """Detect text: ONNX Runtime network, then the PyTorch head's post-processing (as
        mmdet's ``SingleStageDetector.predict``).

        Args:
            inputs (Tensor): Preprocessed images, (B, 3, H, W).
            data_samples (list[TextDetDataSample]): Their samples (meta info).
            rescale (bool): Quads in original-image coordinates. Defaults to True.

        Returns:
            list[TextDetDataSample]: The samples with ``pred_instances``.
        """
        results = self.detector.bbox_head.predict_by_feat(
            *self._forward(inputs),
            batch_img_metas=[s.metainfo for s in data_samples],
            rescale=rescale)
        return self.detector.add_pred_to_datasample(data_samples, results)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[Sequence] = None,
                mode: str = 'tensor') -> Union[Sequence, Tuple[List[Tensor], ...]]:
        """``'predict'`` (detections) or ``'tensor'`` (raw maps); no training.

        Args:
            inputs (Tensor): Preprocessed images, (B, 3, H, W).
            data_samples (list, optional): Their samples. Defaults to None.
            mode (str): ``'predict'`` or ``'tensor'``. Defaults to 'tensor'.
        """
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs)
        raise RuntimeError(f'{type(self).__name__} runs inference only (mode "predict" or '
                           f'"tensor"), got mode {mode!r}')


def onnxruntime_model_config(model_cfg: Dict, onnx_file: str, **kwargs) -> Dict:
    """The ``model`` config that runs ``onnx_file`` in place of ``model_cfg``'s network.

    Args:
        model_cfg (dict): The detector config the file was exported from (``cfg.model``).
        onnx_file (str): The exported network.
        **kwargs: Other :class:`ONNXRuntimeTextDetector` arguments (``num_threads``,
            ``providers``).

    Returns:
        dict: ``dict(type='ONNXRuntimeTextDetector', onnx_file=..., detector=model_cfg)``.
    """
    return dict(
        type='ONNXRuntimeTextDetector',
        onnx_file=onnx_file,
        detector=copy.deepcopy(model_cfg),
        **kwargs)
