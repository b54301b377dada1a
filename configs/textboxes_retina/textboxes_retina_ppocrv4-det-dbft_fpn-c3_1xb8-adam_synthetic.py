# What `make demo` (tools/demo.py) trains:
# ./textboxes_retina_ppocrv4-det-ft_fpn-c3_1xb8-adam_synthetic.py (PP-OCRv4's features fine-tuned at
# 1/20 of the head's step size; the frozen-backbone config it inherits says what every part is) with
# the PP-OCRv4 text probability map fine-tuned as well, from the same converted graph, by DB's own
# loss of that map (DBProbMapLoss: the generated words' polygons shrunk as DB shrinks them, balanced
# BCE + Dice). The map gates the quads (the rescoring) and feeds the FPN (its pooled channels)
# having learned the generated words too, not only the real text PP-OCRv4 was trained on: it then
# sees 96% of the held-out generated words instead of 75%. Unsupervised, through the pooled channels
# alone, the same map drifted and fired on real clutter (the real-image hmean fell from 0.625 to
# 0.455); with its own loss, at the demo's 400 iterations, it did not (see the README's demo
# section).
_base_ = ['./textboxes_retina_ppocrv4-det-ft_fpn-c3_1xb8-adam_synthetic.py']

# one graph for features and map (no frozen map copy); its batch norms (the DB head's three)
# keep PP-OCRv4's statistics: batches of 8 generated crops would move them towards the
# generated images
model = dict(backbone=dict(frozen_maps=False, norm_eval=True), map_loss=dict(type='DBProbMapLoss'))
