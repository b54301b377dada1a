# Step 3 of the multi-scale schedule with the refinement head, from its multi-scale step 2; with
# multi-scale + flip test-time augmentation (inherited) under `tools/test.py --tta`.
_base_ = [
    '../textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-ms960-1280-10k_icdar2015.py',
]

load_from = ('work_dirs/refine_textboxes_se-r50_fpn-c2_8xb2-ms608-960-20k_icdar2015/'
             'iter_20000.pth')
model = dict(
    bbox_head=dict(type='RefineTextBoxesHead', neg_filter_thr=0.99), test_cfg=dict(nms_top_k=5000))
