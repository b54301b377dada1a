# Step 3 of the multi-scale schedule: ICDAR 2015 with batch sizes drawn from 960-1280, from the
# multi-scale step 2.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-960-10k_icdar2015.py']

load_from = ('work_dirs/textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-20k_icdar2015/'
             'iter_20000.pth')
model = dict(
    data_preprocessor=dict(batch_augments=[
        dict(type='BatchSyncQuadRandomResize', random_size_range=(960, 1280), interval=1)
    ]))
