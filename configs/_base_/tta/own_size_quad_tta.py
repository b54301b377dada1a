# Two-scale test-time augmentation for quads (`tools/test.py CONFIG CKPT --tta`), for configs
# that test each image at its own size (`Resize(scale_factor=1.0)`, e.g. the demo's): each image
# is seen at its own size and enlarged by `tta_small_word_factor`; the enlarged view keeps only
# the words that are small in the image (short side under `tta_small_word_size` px, original
# pixels: RefineDet's rule, as in ./icdar2015_quad_tta.py), the other view only the larger ones,
# and QuadTTAModel merges the two by quad NMS. Changing the two settings with --cfg-options does
# not rebuild tta_model and tta_pipeline: override them in a config that inherits this one.
tta_small_word_factor = 1.5
tta_small_word_size = 20

tta_model = dict(
    type='QuadTTAModel',
    tta_cfg=dict(
        merge='nms',
        nms=dict(type='quad_nms', iou_threshold=0.2),
        max_per_img=1000,
        size_limits=[
            dict(scale_factor=1.0, min_size=tta_small_word_size),
            dict(scale_factor=tta_small_word_factor, max_size=tta_small_word_size)
        ]))

tta_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(type='Resize', scale_factor=factor, keep_ratio=True)
                for factor in (1.0, tta_small_word_factor)
            ],
            [dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True)],
            [
                dict(
                    type='PackTextDetInputs',
                    meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
            ],
        ]),
]
