# Ablation mixin: FPN from C3 (P3..P7) instead of C2 (P2..P7); the stride-4 anchor level is
# dropped. A leaf applies it to a step config with `model = _base_.ablation_model`.
ablation_model = dict(
    neck=dict(start_level=1, num_outs=5),
    bbox_head=dict(
        anchor_generator=dict(strides=[8, 16, 32, 64, 128], base_sizes=[32, 64, 128, 256, 512])))
