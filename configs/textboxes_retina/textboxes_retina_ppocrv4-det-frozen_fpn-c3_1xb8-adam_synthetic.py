# The small synthetic config with a pretrained, frozen text backbone
# (./textboxes_retina_ppocrv4-det-ft_fpn-c3_1xb8-adam_synthetic.py inherits this config and
# fine-tunes the backbone's features; what `make demo` trains, ..._ppocrv4-det-dbft_..., inherits
# that one and fine-tunes the text map too). The PP-OCRv4 mobile text detector (PaddleOCR, trained
# on real text), whose ONNX file ships inside the `rapidocr-onnxruntime` package (Apache-2.0), is
# converted to PyTorch by onnx2torch when the model is built
# (textboxes_retina.models.backbones.PPOCRDetFeatures; `pip install -r requirements/demo.txt`). Its
# neck's top-down features at strides 8/16/32 (96 channels), each with the detector's own DB text
# probability map averaged and maxed over the level's cells appended (2 channels), feed a trainable
# FPN (P3..P7) and the TextBoxes++ quad head; only those learn. The images are fed at their own
# resolution at test time (no resize), and training crops (half to all of a 320-512 px image,
# resized to 320 px) keep words near that size on average, so a word has about the same size in
# pixels in the generated training data, the generated test images and the real 1280x720 ICDAR 2015
# images. At test time each quad's score is multiplied by the maximum of the same probability map
# inside the quad (MapRescoredTextBoxesRetina): a quad needs both the trained head and the
# pretrained detector to see text, which removes the head's false alarms on real clutter that the
# generated data never showed it (the map is 0 there).
_base_ = ['./textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py']

model = dict(
    type='MapRescoredTextBoxesRetina',
    # PaddleOCR's input: BGR, ImageNet mean/std (the base's values, without the BGR->RGB swap);
    # padded to a multiple of 32 (what the backbone needs; the base's 128 would pad a 320 px
    # crop to 384)
    data_preprocessor=dict(bgr_to_rgb=False, pad_size_divisor=32),
    # the neck's features (96 channels) + the detector's own text probability map, averaged
    # and maxed over each level's cells (2 channels): a text map learned on real images; the
    # map itself is returned last, for the rescoring. The converted graph runs channels-last
    # (NHWC), faster on a CPU: 0.48 s instead of 0.56 s a training step of 8 images of the
    # demo config (the mean step time of two `tools/demo.py` runs on the same generated data,
    # 2-core AMD EPYC, 2026-12-05, when the demo trained batches of 8)
    backbone=dict(
        _delete_=True,
        type='PPOCRDetFeatures',
        frozen=True,
        map_tensors=('sigmoid_0.tmp_0', ),
        map_scale=3.0,
        return_maps=True,
        channels_last=True),
    neck=dict(in_channels=[98, 98, 98], start_level=0, num_outs=5))

# 320 px training crops (the base's 384 enlarged the generated words by 1.2 on average)
train_scale = 320
train_resize = dict(_base_.train_resize, scale=(train_scale, train_scale))
train_pipeline = [*_base_.train_augment, train_resize, _base_.pack_inputs]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# each test image at its own size (scale_factor 1.0), whatever its shape: the base's square
# `scale` (test_scale, unused here) set to None, since Resize takes a size or a factor
test_resize = dict(_base_.test_resize, scale=None, scale_factor=1.0, keep_ratio=True)
test_pipeline = [_base_.load_image, test_resize, _base_.load_annotations, _base_.pack_inputs]
val_dataloader = dict(
    num_workers=1, dataset=dict(data_root='data/synthetic_text/val', pipeline=test_pipeline))
test_dataloader = val_dataloader

# The sweep picks the score threshold on the generated validation set; tools/demo.py then uses
# that threshold on the held-out and the real images.
val_evaluator = dict(
    type='IC15HmeanMetric', score_thr=0.5, score_thr_sweep=dict(start=0.2, stop=0.96, step=0.05))
test_evaluator = val_evaluator

# Only the FPN and the head learn, from scratch, in the demo's few hundred iterations: Adam at
# twice the base's step size.
optim_wrapper = dict(optimizer=dict(lr=2e-3))
