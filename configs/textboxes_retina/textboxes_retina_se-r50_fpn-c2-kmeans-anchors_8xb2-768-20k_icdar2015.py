# Ablation: anchors from k-means on ICDAR word sizes (tools/analysis_tools/kmeans_anchors.py):
# base sizes 30, 70, 120, 250, 320, 450 and ratios 1, 2, 3, 5, 1/2, 1/5 (12 anchors a location).
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

load_from = None
model = dict(
    bbox_head=dict(
        anchor_generator=dict(
            base_sizes=[30, 70, 120, 250, 320, 450], aspect_ratios=[1, 2, 3, 5, 1 / 2, 1 / 5])))
