# Copyright (c) textboxes_retina authors.
"""Training speed and memory of our quad head vs mmdet's RetinaHead, and data-pipeline rates."""
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .data import build_dataset, grid_quads
from .inference import synthetic_image
from .model_zoo import ModelSpec, build_detector, load_model_config
from .timing import peak_rss, summarize_times, time_runs


def retina_head_overrides(spec: ModelSpec) -> Dict:
    """Config overrides swapping our head for mmdet's ``RetinaHead`` of the same width.

    The backbone, neck, levels (strides), tower depth and width, losses and input stay; the
    head is mmdet's stock one (9 anchors per cell, 4-value box deltas, 3x3 final convs) with
    mmdet's ``MaxIoUAssigner`` at the same thresholds.

    Args:
        spec (ModelSpec): Our detector.

    Returns:
        dict: ``model`` overrides for :func:`build_detector`.
    """
    ours = load_model_config(spec)
    head = ours.bbox_head
    assigner = dict(ours.train_cfg.assigner)
    assigner.update(type='mmdet.MaxIoUAssigner', iou_calculator=dict(type='mmdet.BboxOverlaps2D'))
    return dict(
        model=dict(
            bbox_head=dict(
                _delete_=True,
                type='mmdet.RetinaHead',
                num_classes=head.num_classes,
                in_channels=head.in_channels,
                stacked_convs=head.stacked_convs,
                feat_channels=head.feat_channels,
                anchor_generator=dict(
                    type='mmdet.AnchorGenerator',
                    octave_base_scale=4,
                    scales_per_octave=3,
                    ratios=[0.5, 1.0, 2.0],
                    strides=list(head.anchor_generator.strides)),
                bbox_coder=dict(
                    type='mmdet.DeltaXYWHBBoxCoder',
                    target_means=[0.0] * 4,
                    target_stds=[0.1, 0.1, 0.2, 0.2]),
                loss_cls=head.loss_cls,
                loss_bbox=head.loss_bbox),
            train_cfg=dict(assigner=dict(_delete_=True, **assigner))))


def train_batch(head_kind: str,
                size: int,
                batch_size: int,
                num_words: int = 10,
                seed: int = 0) -> Dict[str, List]:
    """One training batch of synthetic images with ``num_words`` rotated words each.

    Args:
        head_kind (str): ``'quad'`` (MMOCR samples with ``polygons``) or ``'retina'`` (mmdet
            samples with the words' bounding boxes).
        size (int): Square image side.
        batch_size (int): Images.
        num_words (int): Words per image. Defaults to 10.
        seed (int): Random seed. Defaults to 0.

    Returns:
        dict: ``inputs`` and ``data_samples``.
    """
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData
    from mmocr.structures import TextDetDataSample

    from textboxes_retina.structures import quads_to_bboxes
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for index in range(batch_size):
        quads = grid_quads(rng, size, num_words)
        boxes = quads_to_bboxes(quads)
        meta = dict(img_shape=(size, size), ori_shape=(size, size), scale_factor=(1.0, 1.0))
        gt = InstanceData(
            bboxes=torch.from_numpy(boxes), labels=torch.zeros(num_words, dtype=torch.long))
        if head_kind == 'quad':
            sample = TextDetDataSample(metainfo=meta)
            gt.polygons = list(quads)
            gt.ignored = torch.zeros(num_words, dtype=torch.bool)
        else:
            sample = DetDataSample(metainfo=meta)
        sample.gt_instances = gt
        inputs.append(synthetic_image(size, seed + index))
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def benchmark_training(spec: ModelSpec,
                       size: int,
                       batch_size: int,
                       repeats: int,
                       warmup: int = 1,
                       device: str = 'cpu',
                       budget_s: float = float('inf')) -> List[Dict]:
    """Iterations/s and peak RSS of ``train_step`` with our head and with ``RetinaHead``.

    Each variant is built, then trained for ``warmup + repeats`` SGD steps on the same batch
    under :func:`peak_rss` (the peak mark is reset first, so each variant's peak is its own).

    Args:
        spec (ModelSpec): Our detector (backbone and neck shared by both variants).
        size (int): Square input side.
        batch_size (int): Images per iteration.
        repeats (int): Timed iterations.
        warmup (int): Untimed iterations first. Defaults to 1.
        device (str): Device. Defaults to 'cpu'.
        budget_s (float): Stop adding timed iterations past this many seconds.

    Returns:
        list[dict]: One row per head: ``head``, timing, ``iters_per_s``, ``images_per_s``,
        ``rss_start_mib``, ``rss_peak_mib``.
    """
    from mmengine.optim import OptimWrapper
    rows = []
    for head_kind, extra in (('quad', None), ('retina', retina_head_overrides(spec))):
        with peak_rss() as memory:
            model = build_detector(spec, device, extra=extra).train()
            optim_wrapper = OptimWrapper(
                torch.optim.SGD([p for p in model.parameters() if p.requires_grad],
                                lr=1e-4,
                                momentum=0.9))
            batch = train_batch(head_kind, size, batch_size)
            losses: List[Dict] = []

            def step():
                losses.append(model.train_step(batch, optim_wrapper))

            stats = summarize_times(time_runs(step, repeats, warmup, device, budget_s))
        loss = {k: float(torch.as_tensor(v).detach()) for k, v in losses[-1].items()}
        rows.append(
            dict(
                head=head_kind,
                head_type=type(model.bbox_head).__name__,
                size=size,
                batch_size=batch_size,
                **stats,
                iters_per_s=1e3 / stats['median_ms'],
                images_per_s=batch_size * 1e3 / stats['median_ms'],
                rss_start_mib=memory['start_mib'],
                rss_peak_mib=memory['peak_mib'],
                rss_peak_is_lifetime=memory['peak_is_lifetime'],
                last_loss=loss,
                finite_loss=all(np.isfinite(list(loss.values())))))
        model = optim_wrapper = batch = None  # free the head's memory before the next one
    return rows


def pipeline_rate(dataset, num_images: int) -> Dict:
    """Images/s of a dataset's pipeline in this process (one worker's rate).

    Args:
        dataset (BaseDataset): Dataset with its pipeline.
        num_images (int): Samples to draw (cycling over the dataset).

    Returns:
        dict: ``images``, ``seconds``, ``images_per_s``.
    """
    dataset[0]  # warm-up: lazy init, first file read
    start = time.perf_counter()
    for index in range(num_images):
        dataset[index % len(dataset)]
    seconds = time.perf_counter() - start
    return dict(images=num_images, seconds=seconds, images_per_s=num_images / seconds)


def loader_rate(dataset, num_images: int, batch_size: int, num_workers: int) -> Dict:
    """Images/s delivered by a ``DataLoader`` with ``num_workers`` worker processes.

    The clock starts when the first batch arrives (worker start-up excluded).

    Returns:
        dict: ``images`` (timed), ``seconds``, ``images_per_s``, ``num_workers``,
        ``batch_size``.
    """
    from mmengine.dataset import pseudo_collate
    from torch.utils.data import DataLoader, Subset
    indices = [i % len(dataset) for i in range(num_images + batch_size)]
    loader = DataLoader(
        Subset(dataset, indices),
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        collate_fn=pseudo_collate)
    iterator = iter(loader)
    next(iterator)
    start = time.perf_counter()
    images = sum(len(batch['inputs']) for batch in iterator)
    seconds = time.perf_counter() - start
    return dict(
        images=images,
        seconds=seconds,
        images_per_s=images / seconds,
        num_workers=num_workers,
        batch_size=batch_size)


def benchmark_pipelines(data_root: str,
                        pipelines: Dict[str, Sequence[Dict]],
                        num_images: int,
                        batch_size: int,
                        num_workers: int,
                        loader_samples: Optional[int] = None) -> List[Dict]:
    """Single-process and DataLoader rates of several train pipelines on the same images.

    Args:
        data_root (str): Generated split folder.
        pipelines (dict[str, list[dict]]): Name -> train pipeline (MMOCR scope).
        num_images (int): Samples of the single-process measurement.
        batch_size (int): DataLoader batch size.
        num_workers (int): DataLoader workers (0: measure in this process only).
        loader_samples (int, optional): Samples timed through the DataLoader, cycling over
            the images. With few, worker start-up and the last, unevenly finished batches
            dominate (40 samples with 4 workers measured a third of the rate of 120).
            Defaults to ``num_images``.

    Returns:
        list[dict]: One row per pipeline.
    """
    rows = []
    for name, pipeline in pipelines.items():
        dataset = build_dataset(data_root, pipeline)
        row = dict(pipeline=name, single_process=pipeline_rate(dataset, num_images))
        if num_workers > 0:
            row['loader'] = loader_rate(dataset, loader_samples or num_images, batch_size,
                                        num_workers)
        rows.append(row)
    return rows
