# Step 1 of the single-scale schedule with the RefineDet-style head (ARM, TCB, ODM on refined
# anchors); everything else as the TextBoxes++/RetinaNet step.
_base_ = ['../textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-608-100k_synthtext.py']

model = dict(
    bbox_head=dict(type='RefineTextBoxesHead', neg_filter_thr=0.99), test_cfg=dict(nms_top_k=5000))
