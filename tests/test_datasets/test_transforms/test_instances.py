"""keep_instances: per-instance bookkeeping of the quad transforms."""
import numpy as np

from textboxes_retina.datasets.transforms.instances import keep_instances


def quad(*values):
    return np.array(values, np.float32)


def test_keep_instances_can_remove_everything():
    results = dict(
        gt_polygons=[quad(0, 0, 1, 0, 1, 1, 0, 1)] * 2,
        gt_bboxes=np.zeros((2, 4), np.float32),
        gt_bboxes_labels=np.zeros(2, np.int64),
        gt_ignored=np.array([False, True]),
        gt_texts=['a', 'b'])
    keep_instances(results, np.array([False, True]))
    assert results['gt_texts'] == ['b'] and results['gt_ignored'].tolist() == [True]
    keep_instances(results, np.array([False]))
    assert results['gt_polygons'] == [] and results['gt_texts'] == []
    assert results['gt_bboxes'].shape == (0, 4) and results['gt_bboxes_labels'].shape == (0, )
