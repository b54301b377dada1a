# Runtime shared by every config: registries, hooks, logging, environment, visualisation.
# All schedules in configs/_base_/schedules/ are iteration-based, so checkpoints and logs count
# iterations. Evaluators (val_evaluator / test_evaluator) are set by the leaf configs, next to the
# dataloaders they evaluate, because the protocol (IC15 hmean vs IC13 DetEval) depends on the
# dataset.
default_scope = 'mmocr'
custom_imports = dict(imports=['textboxes_retina'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    # Progress and ETA: "Iter(train) [ 20/2000]  lr: ...  eta: 0:12:34  time: ...  loss: ..."
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Leaf configs set `interval` to what fits their schedule.
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=2000, max_keep_ckpts=3, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffer=dict(type='SyncBuffersHook'),
    # Validation: the first 4 images of each run, predictions (red), ground truth (green) and
    # don't-care words (yellow), to the visualiser backends. Test: every image with
    # `tools/test.py --show-dir DIR` (or --show).
    visualization=dict(type='QuadVisualizationHook', num_val_images=4, score_thr=0.4),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # 'nccl', OpenMMLab's value, so that MMOCR's own tools/train.py and `mim train` launch these
    # configs unchanged on GPUs. Our tools/train.py and tools/test.py run it as 'gloo' where CUDA
    # is unavailable; 'auto' picks by CUDA too, another name is kept (see
    # textboxes_retina.engine.setup_distributed).
    dist_cfg=dict(backend='nccl', timeout=1800),
)
randomness = dict(seed=None)

log_level = 'INFO'
log_processor = dict(type='LogProcessor', window_size=10, by_epoch=False)

vis_backends = [dict(type='LocalVisBackend')]
# To also log to TensorBoard (needs the `tensorboard` package):
# vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='TextDetLocalVisualizer', name='visualizer', vis_backends=vis_backends)

# `load_from`: a checkpoint to initialise the weights from (the next training step loads the
# previous step's checkpoint). `resume=True` restores weights, optimizer, schedulers and iteration
# from `load_from`, or from the latest checkpoint in work_dir when `load_from` is None.
load_from = None
resume = False
