import pytest
import torch
from mmdet.models.utils import filter_scores_and_topk

from textboxes_retina.models.utils import gather_level_deltas, topk_candidates


@pytest.mark.parametrize('num_base_priors,width', [(14, 12), (14, 8), (9, 4), (1, 12)])
def test_gather_level_deltas_reads_the_rows_of_the_permuted_map(num_base_priors, width):
    generator = torch.Generator().manual_seed(0)
    bbox_pred = torch.randn(num_base_priors * width, 5, 7, generator=generator)
    rows = bbox_pred.permute(1, 2, 0).reshape(-1, width)
    idxs = torch.randint(0, rows.size(0), (40, ), generator=generator)
    assert torch.equal(gather_level_deltas(bbox_pred, idxs, num_base_priors), rows[idxs])
    assert gather_level_deltas(bbox_pred, idxs[:0], num_base_priors).shape == (0, width)


@pytest.mark.parametrize('num_classes', [1, 3])
@pytest.mark.parametrize('score_thr,topk', [(0.0, 50), (0.7, 50), (0.5, 100000), (0.95, 5),
                                            (0.2, 0), (0.99999, 10)])
def test_topk_candidates_selects_like_mmdet(num_classes, score_thr, topk):
    scores = torch.rand(400, num_classes, generator=torch.Generator().manual_seed(1))
    values, labels, idxs = topk_candidates(scores, score_thr, topk)
    if topk > 0:  # mmdet's topk <= 0 slices [:-1] / [:0]; ours keeps all
        ref_values, ref_labels, ref_idxs, _ = filter_scores_and_topk(scores, score_thr, topk)
        assert torch.equal(values, ref_values)
        assert torch.equal(labels, ref_labels) and torch.equal(idxs, ref_idxs)  # distinct scores
    expected = (scores > score_thr).sum().item()
    assert len(values) == (min(topk, expected) if topk > 0 else expected)
    assert torch.equal(scores[idxs, labels], values)
    assert (values[:-1] >= values[1:]).all() and (values > score_thr).all()
