# Copyright (c) textboxes_retina authors.
"""The PP-OCRv4 mobile text detector's backbone and FPN, converted from ONNX, as a backbone."""
import importlib.util
import os.path as osp
from typing import Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor, nn
from torch.nn import functional as F

#: The ONNX file of the PP-OCRv4 mobile text detector inside ``rapidocr-onnxruntime`` (1.4.4,
#: Apache-2.0): ``<package>:<path inside the package>``.
PPOCRV4_DET_ONNX = 'rapidocr_onnxruntime:models/ch_PP-OCRv4_det_infer.onnx'

#: Tensors of that graph at strides 8, 16, 32, 96 channels each: the top-down sums of its RSEFPN
#: neck (``out3 = in3 + up(out4)``, ``out4 = in4 + up(in5)``, ``in5``), the multi-level features
#: just before the neck's per-level output convs that feed the DB head. (The stride-4 sum is
#: ``'p2o.Add.253'``; leaving it out skips the neck's most expensive level.)
PPOCRV4_DET_NECK_TENSORS = ('p2o.Add.251', 'p2o.Add.249', 'p2o.Add.229')

#: The graph's final output: the DB head's text probability map, ``(N, 1, H, W)`` at the input's
#: resolution (what PaddleOCR's DB post-processing thresholds and turns into boxes).
PPOCRV4_DET_PROB_MAP = 'sigmoid_0.tmp_0'


def resolve_package_file(spec: str) -> str:
    """Path of ``'<package>:<relative path>'`` in the installed package, or of a plain path.

    Raises:
        FileNotFoundError: The package is not installed or the file is not in it, naming the
            optional requirements file that installs it.
    """
    if ':' not in spec or osp.exists(spec):
        if not osp.isfile(spec):
            raise FileNotFoundError(f'ONNX file {spec!r} does not exist')
        return spec
    package, relative = spec.split(':', 1)
    found = importlib.util.find_spec(package)
    if found is None or not found.submodule_search_locations:
        raise FileNotFoundError(f'package {package!r} (for {spec!r}) is not installed: '
                                f'pip install -r requirements/demo.txt')
    path = osp.join(list(found.submodule_search_locations)[0], relative)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{relative!r} is not in the installed package {package!r} '
                                f'({path}); see requirements/demo.txt for the tested version')
    return path


def extract_onnx_outputs(onnx_file: str, input_name: str, output_names: Sequence[str]):
    """The sub-graph of ``onnx_file`` from ``input_name`` (the image input or any tensor of the
    graph) to ``output_names``.

    Returns:
        onnx.ModelProto: A model whose outputs are ``output_names``, in that order.
    """
    import onnx
    from onnx.utils import Extractor

    model = constants_to_initializers(onnx.load(onnx_file))
    known = {out for node in model.graph.node for out in node.output}
    inputs = {inp.name for inp in model.graph.input}
    missing = [name for name in output_names if name not in known]
    if input_name not in known | inputs:
        missing.insert(0, input_name)
    if missing:
        raise KeyError(f'{onnx_file}: no tensor named {missing} in the graph')
    # the extractor looks the cut tensors up in value_info, which shape inference fills in
    model = onnx.shape_inference.infer_shapes(model)
    sub = Extractor(model).extract_model([input_name], list(output_names))
    # cut at an inner tensor, the outputs must depend on the image through that tensor alone
    image_inputs = inputs - {init.name for init in model.graph.initializer} - {input_name}
    bypass = image_inputs & {name for node in sub.graph.node for name in node.input}
    if bypass:
        raise ValueError(f'{onnx_file}: {list(output_names)} depend on {sorted(bypass)} other '
                         f'than through {input_name!r}: cut at a tensor they all go through')
    return sub


def constants_to_initializers(model):
    """Move tensor-valued ``Constant`` nodes into the graph's initializers, in place.

    Paddle2ONNX stores the PP-OCR weights as ``Constant`` nodes; onnx2torch reads convolution
    weights from initializers only. The graph computes the same either way.

    Returns:
        onnx.ModelProto: ``model``.
    """
    graph = model.graph
    keep = []
    for node in graph.node:
        if node.op_type == 'Constant' and len(node.attribute) == 1 and \
                node.attribute[0].name == 'value':
            tensor = node.attribute[0].t
            tensor.name = node.output[0]
            graph.initializer.append(tensor)
        else:
            keep.append(node)
    del graph.node[:]
    graph.node.extend(keep)
    return model


def onnx_to_torch(model) -> nn.Module:
    """Convert an ONNX model to a ``torch.fx.GraphModule`` with onnx2torch."""
    from onnx2torch import convert
    return convert(model)


@MODELS.register_module()
class PPOCRDetFeatures(BaseModule):
    """Multi-level features of a pretrained PP-OCR text detector, converted from its ONNX file.

    The PP-OCRv4 mobile detector (PPLCNetV3 backbone, RSEFPN neck, DB head; trained by PaddleOCR
    on real scene and document text) ships as an ONNX file inside the ``rapidocr-onnxruntime``
    package. This module cuts that graph at ``out_tensors`` (by default the neck's top-down
    features at strides 8-32), converts the cut graph to PyTorch with ``onnx2torch`` when it is
    built, and returns those tensors: an mmdet neck (FPN) and our quad head go on top. Nothing is
    downloaded; the weights are the package's.

    The converted graph expects the PaddleOCR input: BGR channels normalised with the ImageNet
    mean and std, height and width multiples of 32 (use ``bgr_to_rgb=False`` and a
    ``pad_size_divisor`` of 32 or more in the data preprocessor).

    Args:
        onnx_file (str): ``'<package>:<path>'`` inside an installed package, or a file path.
            Defaults to :data:`PPOCRV4_DET_ONNX`.
        out_tensors (Sequence[str]): Names of the graph's tensors to return, finest first.
            Defaults to :data:`PPOCRV4_DET_NECK_TENSORS`.
        input_name (str): The graph's image input. Defaults to ``'x'``.
        frozen (bool): Keep the converted weights fixed (no gradients, eval mode; the forward
            runs under ``torch.no_grad``). Defaults to True.
        out_scale (float): Multiplies every output. The neck's features have a standard
            deviation of 6-11 (up to 125 in magnitude) on generated text images; 0.1 brings them
            near the unit scale that the FPN's default initialisation expects. Defaults to 0.1.
        map_tensors (Sequence[str]): Names of the graph's dense maps (e.g.
            :data:`PPOCRV4_DET_PROB_MAP`, the detector's own text probability map) to pool to
            every output's stride and append to it as extra channels: per map channel its
            average and its maximum over each ``s x s`` cell, times ``map_scale``. An output of
            ``C_i`` channels then has ``C_i + 2 * sum(map channels)``. Defaults to ``()``.
        map_scale (float): Multiplies the pooled maps. Defaults to 1.0.
        return_maps (bool): Also return the ``map_tensors`` themselves, at the input
            resolution and unscaled, after the features (what
            :class:`~textboxes_retina.models.detectors.MapRescoredTextBoxesRetina` rescores its
            quads with). Defaults to False.
        frozen_maps (bool): Compute ``map_tensors`` with a second, frozen copy of the converted
            graph (no gradients, eval mode, under ``torch.no_grad``) instead of the feature
            graph. With ``frozen=False`` the features fine-tune while the maps stay those of the
            pretrained detector: the map channels and the rescoring keep seeing text the way
            real images taught it, not the way the training data drifts it. Costs one more
            forward of the detector per image. Defaults to False.
        norm_eval (bool): Keep the batch norms of a fine-tuned graph (``frozen=False``) in eval
            mode, their statistics those of the pretrained detector (mmdet's ResNet option of
            that name). Defaults to False.
        frozen_stem (str, optional): With ``frozen=False``, the name of a tensor of the graph
            where a frozen stem ends: the part of the graph from the input to that tensor keeps
            the pretrained weights (no gradients, eval mode, run under ``torch.no_grad``) and
            only the rest fine-tunes (mmdet backbones' ``frozen_stages``, cut at a named
            tensor). Every output must depend on the input through that tensor alone. Saves
            the backward pass through the stem, which runs at the highest resolutions.
            Defaults to None (the whole graph fine-tunes).
        channels_last (bool): Keep the converted graphs' weights, and take the input, in the
            channels-last memory format (NHWC; ``torch.channels_last``), in which oneDNN's CPU
            convolutions of this graph run faster: a training step of the demo config on 8
            images took 0.48 s instead of 0.56 s on a 2-core CPU (its frozen-backbone base
            config says how that was measured).
            The outputs and gradients are the same to float32 rounding. ``model.to(device)``
            and loading a checkpoint keep the format. Defaults to False.
        init_cfg (dict, optional): Unused (the weights come from the ONNX file).
    """

    def __init__(self,
                 onnx_file: str = PPOCRV4_DET_ONNX,
                 out_tensors: Sequence[str] = PPOCRV4_DET_NECK_TENSORS,
                 input_name: str = 'x',
                 frozen: bool = True,
                 out_scale: float = 0.1,
                 map_tensors: Sequence[str] = (),
                 map_scale: float = 1.0,
                 return_maps: bool = False,
                 frozen_maps: bool = False,
                 norm_eval: bool = False,
                 frozen_stem: Optional[str] = None,
                 channels_last: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.onnx_file = resolve_package_file(onnx_file)
        self.out_tensors = tuple(out_tensors)
        self.map_tensors = tuple(map_tensors)
        self.frozen = frozen
        self.out_scale = out_scale
        self.map_scale = map_scale
        if return_maps and not self.map_tensors:
            raise ValueError('return_maps=True needs map_tensors (the maps to return)')
        self.return_maps = return_maps
        if frozen_maps and (frozen or not self.map_tensors):
            raise ValueError('frozen_maps=True keeps the maps of a fine-tuned graph (frozen=False) '
                             'pretrained: it needs frozen=False and map_tensors')
        self.frozen_maps = frozen_maps
        self.norm_eval = norm_eval
        if frozen_stem is not None and frozen:
            raise ValueError('frozen_stem keeps the stem of a fine-tuned graph (frozen=False) '
                             'pretrained: the frozen graph is frozen as a whole')
        self.stem = None if frozen_stem is None else onnx_to_torch(
            extract_onnx_outputs(self.onnx_file, input_name, (frozen_stem, )))
        # the feature graph computes the maps too, unless a frozen copy does
        self.graph = onnx_to_torch(
            extract_onnx_outputs(self.onnx_file, frozen_stem or input_name,
                                 self.out_tensors + (() if frozen_maps else self.map_tensors)))
        if frozen_maps:
            self.map_graph = onnx_to_torch(
                extract_onnx_outputs(self.onnx_file, input_name, self.map_tensors))
        for graph in self._frozen_graphs():
            graph.requires_grad_(False)
            graph.eval()
        self.channels_last = channels_last
        if channels_last:
            self.to(memory_format=torch.channels_last)

    def init_weights(self) -> None:
        """Keep the converted weights (mmengine would otherwise re-initialise the convs)."""

    def train(self, mode: bool = True) -> 'PPOCRDetFeatures':
        super().train(mode)
        for graph in self._frozen_graphs():
            graph.eval()
        if mode and self.norm_eval:
            for module in self.graph.modules():
                if isinstance(module, nn.modules.batchnorm._BatchNorm):
                    module.eval()
        return self

    def _frozen_graphs(self) -> list:
        """The converted graphs that keep their pretrained weights (and eval mode)."""
        graphs = [self.graph] if self.frozen else []
        if self.stem is not None:
            graphs.append(self.stem)
        if self.frozen_maps:
            graphs.append(self.map_graph)
        return graphs

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Args:
            x (Tensor): ``(N, 3, H, W)`` normalised BGR images, ``H, W`` multiples of 32.

        Returns:
            tuple[Tensor]: One ``(N, C_i, H / s_i, W / s_i)`` map per ``out_tensors`` entry
            (with ``map_tensors``, their pooled channels appended: see the class docstring),
            then with ``return_maps`` the ``(N, C, H, W)`` maps themselves.
        """
        if x.shape[-1] % 32 or x.shape[-2] % 32:
            raise ValueError(f'PPOCRDetFeatures needs height and width multiples of 32, got '
                             f'{tuple(x.shape[-2:])}: set pad_size_divisor=32 (or 128)')
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        if self.stem is not None:
            with torch.no_grad():
                stem = self.stem(x)
        else:
            stem = x
        with torch.set_grad_enabled(torch.is_grad_enabled() and not self.frozen):
            outs = _as_tuple(self.graph(stem))
        if self.frozen_maps:
            with torch.no_grad():
                outs += _as_tuple(self.map_graph(x))
        feats = [out * self.out_scale for out in outs[:len(self.out_tensors)]]
        maps = outs[len(self.out_tensors):]
        if not maps:
            return tuple(feats)
        feats = tuple(
            torch.cat([feat] + pool_maps(maps, feat.shape[-2:], self.map_scale), dim=1)
            for feat in feats)
        return feats + tuple(maps) if self.return_maps else feats


def _as_tuple(outs) -> Tuple[Tensor, ...]:
    """A converted graph returns a tensor for one output, a tuple for several."""
    return (outs, ) if isinstance(outs, Tensor) else tuple(outs)


def pool_maps(maps: Sequence[Tensor], size: Tuple[int, int], scale: float = 1.0) -> list:
    """Average and max of each map over the cells of a ``size`` grid.

    Args:
        maps (Sequence[Tensor]): ``(N, C, H, W)`` maps, ``H`` and ``W`` multiples of ``size``.
        size (tuple[int, int]): The grid ``(h, w)``.
        scale (float): Multiplies the result. Defaults to 1.0.

    Returns:
        list[Tensor]: Per map, its ``(N, C, h, w)`` cell averages, then its cell maxima.
    """
    pooled = []
    for m in maps:
        stride = (m.shape[-2] // size[0], m.shape[-1] // size[1])
        if stride[0] * size[0] != m.shape[-2] or stride[1] * size[1] != m.shape[-1]:
            raise ValueError(f'a {tuple(m.shape[-2:])} map does not pool to {tuple(size)}')
        pooled += [F.avg_pool2d(m, stride) * scale, F.max_pool2d(m, stride) * scale]
    return pooled
