# TextBoxes++ on RetinaNet: SE-ResNet-50, FPN from C2 (P2..P7), quad head with 3x5 kernels.
#
# ImageNet weights (essential: the seed's loss explodes without them; with frozen batch norm a
# backbone without them would keep every residual branch at zero, which SEResNet refuses):
# the seed's own, Cadene's `pretrainedmodels` SE-ResNet50 (se_resnet50-ce0d4300.pth, 77.6% top-1),
# from the copy timm publishes on GitHub (the same file, name and hash; https and GitHub are
# reachable where the original http://data.lip6.fr/cadene/pretrainedmodels/ host is not).
# mmengine downloads it once into ~/.cache/torch/hub/checkpoints; offline, point at a local copy:
#   --cfg-options model.backbone.init_cfg.checkpoint=/path/to/se_resnet50-ce0d4300.pth
# SEResNet reads the file as published (Cadene's layer0/se_module names, mmpretrain's
# backbone./se_layer names, or ours) and loads every tensor or fails naming the keys. Cadene's
# network puts the stride on the bottleneck's first 1x1 conv (style='caffe') and pools the stem
# without padding, rounding up (stem_pool='caffe'): with these two settings our features equal
# the original network's (tests/test_models/test_backbones/test_se_resnet_weights.py).
# OpenMMLab's mmpretrain SE-ResNet50 (style='pytorch') is the other supported source:
# configs/_base_/ablations/se-r50-mmpretrain-imagenet.py.
se_resnet50_imagenet = ('https://github.com/rwightman/pytorch-image-models/releases/download/'
                        'v0.1-cadene/se_resnet50-ce0d4300.pth')
model = dict(
    type='TextBoxesRetina',
    data_preprocessor=dict(
        type='mmdet.DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=128),
    backbone=dict(
        type='SEResNet',
        depth=50,
        se_ratio=16,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        style='caffe',
        stem_pool='caffe',
        init_cfg=dict(type='Pretrained', checkpoint=se_resnet50_imagenet)),
    neck=dict(
        type='mmdet.FPN',
        in_channels=[256, 512, 1024, 2048],
        out_channels=256,
        start_level=0,
        # P6 from C5 and a ReLU before P7, as mmdet's RetinaNet and the seed's fpn.py.
        add_extra_convs='on_input',
        relu_before_extra_convs=True,
        num_outs=6),
    bbox_head=dict(
        type='TextBoxesRetinaHead',
        num_classes=1,
        in_channels=256,
        stacked_convs=4,
        feat_channels=256,
        head_kernel_size=(3, 5),
        anchor_generator=dict(
            type='TextBoxesAnchorGenerator',
            strides=[4, 8, 16, 32, 64, 128],
            base_sizes=[16, 32, 64, 128, 256, 512],
            aspect_ratios=[1, 2, 3, 5, 1 / 2, 1 / 3, 1 / 5],
            vertical_offset=True),
        bbox_coder=dict(
            type='QuadDeltaCoder',
            encode_size=12,
            target_means=[0.0] * 12,
            target_stds=[0.1, 0.1, 0.2, 0.2] + [0.1] * 8),
        # mmdet's FocalLoss computed with PyTorch ops on every device (mmdet's own sends CUDA
        # tensors to an mmcv op that the CPU-op mmcv of tools/setup_env.sh does not have).
        loss_cls=dict(
            type='DeviceAgnosticFocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='mmdet.SmoothL1Loss', beta=0.11, loss_weight=1.0)),
    train_cfg=dict(
        # IoU on the quads' bounding boxes; anchors covering a don't-care word (IoF > 0.5) are
        # left out; min_pos_iou > 0 so a ground truth overlapping no anchor matches nothing.
        assigner=dict(
            type='QuadMaxIoUAssigner',
            pos_iou_thr=0.5,
            neg_iou_thr=0.4,
            min_pos_iou=1e-4,
            ignore_iof_thr=0.5),
        sampler=dict(type='mmdet.PseudoSampler'),
        allowed_border=-1,
        pos_weight=-1,
        debug=False),
    # Every key the head reads at test time. Caps sized so that no word is lost on the densest
    # images (ICDAR 2015 has images with 100+ words, MLT more, and each word yields tens of
    # candidates above the threshold): 5000 candidates per level before quad NMS, 1000 quads
    # kept per image. The refinement head (RefineTextBoxesHead) also reads `nms_top_k`, which
    # its configs set.
    test_cfg=dict(
        nms_pre=5000,
        score_thr=0.05,
        # Our exact quad NMS (textboxes_retina.structures.quad_nms), the only type the head runs
        # (mmcv's nms_quadri misjudges non-rectangular quads).
        nms=dict(type='quad_nms', iou_threshold=0.2),
        max_per_img=1000,
        # Decoded quads of this area or less (px^2, after rescaling) are dropped before NMS.
        min_quad_area=1.0))
