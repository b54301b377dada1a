# Step 1 of the multi-scale schedule: as the single-scale step 1, but every batch is resized to one
# size drawn from 608-960 (multiples of 128, the same on every rank).
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-608-100k_synthtext.py']

model = dict(
    data_preprocessor=dict(batch_augments=[
        dict(type='BatchSyncQuadRandomResize', random_size_range=(608, 960), interval=1)
    ]))
