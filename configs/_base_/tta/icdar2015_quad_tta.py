# Multi-scale + flip test-time augmentation for quads (`tools/test.py CONFIG CKPT --tta`), for any
# config tested like the ICDAR 2015 base (target size 1280, annotations loaded after the resize).
# Each test scale is a factor of the target size, seen with and without a horizontal flip (12
# views); QuadTTAModel flips quads back (restoring the vertex order) and merges the views by quad
# box voting ('voting': score-weighted corners) or quad NMS ('nms').
# Size limits (RefineDet's rule): a down-scaled view keeps only large words, an up-scaled view only
# small ones. Sizes are word heights (a quad's shorter side) in original-image pixels. Changing
# tta_scale_factors or tta_target_size with --cfg-options does not rebuild the pipeline: override
# them in a config that inherits this one and rebuilds tta_pipeline.
tta_target_size = 1280
tta_scale_factors = [0.6, 1.0, 1.2, 1.4, 1.6, 1.8]
tta_scales = [(round(tta_target_size * f), ) * 2 for f in tta_scale_factors]

tta_model = dict(
    type='QuadTTAModel',
    tta_cfg=dict(
        merge='voting',
        nms=dict(type='quad_nms', iou_threshold=0.2),
        max_per_img=1000,
        size_limits=[dict(scale=tta_scales[0], min_size=12)] +
        [dict(scale=scale, max_size=64) for scale in tta_scales[2:]]))

tta_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(
        type='TestTimeAug',
        transforms=[
            # Square views, like training and the single-scale test.
            [dict(type='Resize', scale=scale, keep_ratio=False) for scale in tta_scales],
            [
                dict(type='RandomFlip', prob=1.0, direction='horizontal'),
                dict(type='RandomFlip', prob=0.0, direction='horizontal')
            ],
            [dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True)],
            [
                dict(
                    type='PackTextDetInputs',
                    meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor', 'scale',
                               'flip', 'flip_direction'))
            ],
        ]),
]
