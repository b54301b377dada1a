# Ablation mixin: anchors from k-means on ICDAR word sizes (tools/analysis_tools/kmeans_anchors.py):
# base sizes 30, 70, 120, 250, 320, 450 and ratios 1, 2, 3, 5, 1/2, 1/5 (12 anchors a location).
# A leaf applies it to a step config with `model = _base_.ablation_model`.
ablation_model = dict(
    bbox_head=dict(
        anchor_generator=dict(
            base_sizes=[30, 70, 120, 250, 320, 450], aspect_ratios=[1, 2, 3, 5, 1 / 2, 1 / 5])))
