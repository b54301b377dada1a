# Copyright (c) textboxes_retina authors.
"""Deployment: ONNX export of the network and an ONNX Runtime detector that decodes its outputs
with the PyTorch head's own post-processing.

``onnx`` and ``onnxruntime`` are optional (``requirements/deploy.txt``); they are imported only
when an export or a session is made. Importing this module registers
``ONNXRuntimeTextDetector`` in MMOCR's ``MODELS``.
"""
from .onnx_export import (ONNX_OPSET, HeadOutputs, export_onnx, head_output_groups,
                          head_output_names, verify_onnx)
from .onnxruntime_detector import ONNXRuntimeTextDetector, onnxruntime_model_config

__all__ = [
    'ONNX_OPSET', 'HeadOutputs', 'export_onnx', 'head_output_groups', 'head_output_names',
    'verify_onnx', 'ONNXRuntimeTextDetector', 'onnxruntime_model_config'
]
