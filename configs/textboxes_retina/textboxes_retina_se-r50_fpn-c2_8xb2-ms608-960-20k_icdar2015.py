# Step 2 of the multi-scale schedule: ICDAR 2015 with batch sizes drawn from 608-960, from the
# multi-scale step 1.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

load_from = ('work_dirs/textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-100k_synthtext/'
             'iter_100000.pth')
model = dict(
    data_preprocessor=dict(batch_augments=[
        dict(type='BatchSyncQuadRandomResize', random_size_range=(608, 960), interval=1)
    ]))
