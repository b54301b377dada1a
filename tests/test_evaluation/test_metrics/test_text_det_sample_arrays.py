"""Reading quads, flags and scores out of MMOCR text-detection samples."""
import numpy as np
import pytest
import torch

from textboxes_retina.evaluation import stack_quads, text_det_sample_arrays


def test_stack_quads_accepts_the_usual_containers():
    polygons = [np.arange(8, dtype=np.float32) + 0.1, np.arange(8, dtype=np.float32)]
    expected = np.stack([polygon.astype(np.float64) for polygon in polygons])
    for given in (polygons, np.stack(polygons), [torch.from_numpy(p) for p in polygons
                                                 ], [polygon.reshape(4, 2) for polygon in polygons],
                  [torch.from_numpy(p).requires_grad_() for p in polygons]):
        quads = stack_quads(given)
        assert quads.dtype == np.float64
        np.testing.assert_array_equal(quads, expected)
    assert stack_quads(None).shape == stack_quads([]).shape == (0, 8)


def test_stack_quads_rejects_other_polygons():
    with pytest.raises(ValueError, match=r'predicted polygons .* lengths \[10\]'):
        stack_quads([np.zeros(8), np.zeros(10)], 'predicted polygons')
    with pytest.raises(ValueError, match='quadrilaterals'):
        stack_quads([np.zeros(10)])


def test_sample_arrays(sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    sample = make([box(0, 0, 10, 10)], [True], [box(1, 1, 5, 5), box(2, 2, 6, 6)], [0.9, 0.3],
                  'data/imgs/img_12.jpg').to_dict()
    arrays = text_det_sample_arrays(sample)
    assert arrays['name'] == 'img_12'
    np.testing.assert_array_equal(arrays['gt_polygons'], [box(0, 0, 10, 10)])
    np.testing.assert_array_equal(arrays['gt_ignored'], [True])
    np.testing.assert_array_equal(arrays['pred_polygons'], [box(1, 1, 5, 5), box(2, 2, 6, 6)])
    np.testing.assert_array_equal(arrays['scores'], np.float32([0.9, 0.3]))
    # Without annotations, flags or scores: empty ground truth, nothing ignored, scores 1.
    arrays = text_det_sample_arrays(dict(pred_instances=dict(polygons=[box(1, 1, 5, 5)])), 4)
    assert arrays['name'] == 'img_5' and arrays['gt_polygons'].shape == (0, 8)
    assert arrays['gt_ignored'].shape == (0, ) and arrays['scores'].tolist() == [1.0]
