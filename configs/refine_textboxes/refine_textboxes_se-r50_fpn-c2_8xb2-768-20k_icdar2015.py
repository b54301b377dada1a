# Step 2 of the single-scale schedule with the refinement head, from its step 1.
_base_ = ['../textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

load_from = 'work_dirs/refine_textboxes_se-r50_fpn-c2_8xb2-608-100k_synthtext/iter_100000.pth'
model = dict(
    bbox_head=dict(type='RefineTextBoxesHead', neg_filter_thr=0.99), test_cfg=dict(nms_top_k=5000))
