# The small CPU model with the refinement head, on the generated synthetic text.
_base_ = ['../textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py']

model = dict(
    bbox_head=dict(type='RefineTextBoxesHead', neg_filter_thr=0.99), test_cfg=dict(nms_top_k=5000))
