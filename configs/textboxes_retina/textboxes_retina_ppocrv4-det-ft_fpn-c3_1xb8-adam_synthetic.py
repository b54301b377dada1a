# The frozen-backbone demo config
# (./textboxes_retina_ppocrv4-det-frozen_fpn-c3_1xb8-adam_synthetic.py, whose comments say what
# every part is) with the PP-OCRv4 features fine-tuned, at 1/20 of the head's step size, so that
# they adapt to the quad head. The detector's text probability map (the pooled map channels and
# the rescoring) comes from a second, frozen copy of the converted graph (frozen_maps=True): a
# map fine-tuned on generated images drifts towards them and loses the real text it was trained
# on (measured: fine-tuning one graph for both, the map without a loss of its own, dropped the
# real-image hmean from 0.625 to 0.455). What `make demo` trains,
# ./textboxes_retina_ppocrv4-det-dbft_fpn-c3_1xb4-adam_synthetic.py, inherits this config and
# gives the map DB's own loss instead.
_base_ = ['./textboxes_retina_ppocrv4-det-frozen_fpn-c3_1xb8-adam_synthetic.py']

model = dict(backbone=dict(frozen=False, frozen_maps=True))

optim_wrapper = dict(paramwise_cfg=dict(custom_keys={'backbone.graph': dict(lr_mult=0.05)}))
