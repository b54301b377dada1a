"""The pinned OpenMMLab stack works in the installed environment."""
import numpy as np
import pytest
import torch


def test_versions_are_the_pinned_ones():
    import mmcv
    import mmdet
    import mmengine
    import mmocr
    import shapely
    assert torch.__version__.split('+')[0] == '2.13.0'
    assert mmcv.__version__ == '2.0.1'
    assert mmdet.__version__ == '3.1.0'
    assert mmocr.__version__ == '1.0.1'
    assert mmengine.__version__ == '0.10.7'
    assert int(np.__version__.split('.')[0]) < 2
    assert int(shapely.__version__.split('.')[0]) == 2


def test_mmdet_models_and_mmocr_datasets_import():
    import mmdet.models  # needs mmcv._ext
    import mmocr.datasets  # noqa: F401  (needs torchvision built against this torch)
    from mmocr.registry import DATASETS, MODELS
    assert mmdet.models.RetinaHead is not None
    assert MODELS.get('DBNet') is not None
    assert DATASETS.get('OCRDataset') is not None


def test_nms_quadri_keeps_the_best_of_overlapping_quads():
    from mmcv.ops import nms_quadri
    quads = torch.tensor(
        [
            [0, 0, 10, 0, 10, 10, 0, 10],
            [1, 0, 11, 0, 11, 10, 1, 10],  # IoU 9/11 with the first
            [20, 20, 30, 20, 30, 30, 20, 30],
        ],
        dtype=torch.float32)
    scores = torch.tensor([0.9, 0.8, 0.7])
    dets, keep = nms_quadri(quads, scores, iou_threshold=0.5)
    assert keep.tolist() == [0, 2]
    torch.testing.assert_close(dets[:, -1], torch.tensor([0.9, 0.7]))


@pytest.mark.parametrize('mode,expected', [('iou', 50 / 150), ('iof', 0.5)])
def test_box_iou_quadri_known_values(mode, expected):
    from mmcv.ops import box_iou_quadri
    a = torch.tensor([[0, 0, 10, 0, 10, 10, 0, 10]], dtype=torch.float32)
    b = torch.tensor([[5, 0, 15, 0, 15, 10, 5, 10]], dtype=torch.float32)
    iou = box_iou_quadri(a, b, mode=mode)
    assert iou.shape == (1, 1)
    assert iou.item() == pytest.approx(expected, abs=1e-5)
