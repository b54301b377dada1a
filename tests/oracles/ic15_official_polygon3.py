"""The ICDAR 2015 Challenge 4 evaluation, ported from the official ``script.py`` onto Polygon3.

A test oracle, independent of the package: it imports neither ``textboxes_retina`` nor shapely.
It follows the Robust Reading Competition's Challenge 4 Task 1 script (``evaluate_method`` and
its helpers, with ``rrc_evaluation_funcs``) step by step, on the ``Polygon`` library that script
uses (``Polygon3`` on the registry is the Python 3 build of the same GPC-based package):

- each quad becomes ``Polygon.Polygon`` of its 4 vertices after ``int()`` of every coordinate
  (the script fills an int32 array);
- ``intersection = (pD & pG).area()``, 0 when the clipped polygon has no contour;
  ``union = pD.area() + pG.area() - intersection``; ``IoU = intersection / union``, 0 when that
  fails (the script catches the division error);
- a detection is don't care when, for some don't-care ground truth, ``intersection / pD.area()``
  (0 for a zero area) is above the area-precision constraint;
- ground truths in order, each detection in order: both free, neither don't care and
  ``IoU > constraint`` -> matched;
- per image: with no care ground truth, recall 1 and precision 1 only without care detections;
  otherwise recall ``matched / care gt`` and precision ``matched / care det`` (0 without any);
- the method: ``recall = sum matched / sum care gt``, ``precision = sum matched / sum care det``
  (0 on a zero denominator), ``hmean = 2 p r / (p + r)`` (0 when ``p + r`` is 0).

Polygon3 aborts at interpreter exit on Python >= 3.11, so this runs as a script in a subprocess
that leaves with ``os._exit(0)`` once the results are written::

    python ic15_official_polygon3.py INPUT.json OUTPUT.json

INPUT: ``{"iou_thr": .5, "area_precision_thr": .5, "datasets": [[{"gt": [[8 floats], ...],
"ignored": [bool, ...], "det": [[8 floats], ...]}, ...], ...]}``. OUTPUT: per dataset
``{"precision", "recall", "hmean", "images": [{"pairs": [[g, d], ...], "det_dontcare": [...],
"precision", "recall"}, ...]}``.
"""
import json
import os
import sys


def polygon_from_points(points):
    """The script's quad: ``int()`` of each coordinate, 4 vertices in the given order."""
    import Polygon
    xs = [int(value) for value in points[0::2]]
    ys = [int(value) for value in points[1::2]]
    return Polygon.Polygon(list(zip(xs, ys)))


def get_intersection(det, gt):
    clipped = det & gt
    if len(clipped) == 0:
        return 0
    return clipped.area()


def get_union(det, gt):
    return det.area() + gt.area() - get_intersection(det, gt)


def get_intersection_over_union(det, gt):
    try:
        return get_intersection(det, gt) / get_union(det, gt)
    except ZeroDivisionError:
        return 0


def evaluate_image(gt_points, ignored, det_points, iou_thr, area_precision_thr):
    """One sample of ``evaluate_method``: matched pairs, don't-care detections, P and R."""
    gt_pols = [polygon_from_points(points) for points in gt_points]
    gt_dont_care = [index for index, flag in enumerate(ignored) if flag]
    det_pols = [polygon_from_points(points) for points in det_points]
    det_dont_care = []
    if gt_dont_care:
        for det_num, det in enumerate(det_pols):
            for gt_num in gt_dont_care:
                intersected = get_intersection(gt_pols[gt_num], det)
                det_area = det.area()
                precision = 0 if det_area == 0 else intersected / det_area
                if precision > area_precision_thr:
                    det_dont_care.append(det_num)
                    break
    pairs = []
    if gt_pols and det_pols:
        iou = [[get_intersection_over_union(det, gt) for det in det_pols] for gt in gt_pols]
        gt_taken = [False] * len(gt_pols)
        det_taken = [False] * len(det_pols)
        for gt_num in range(len(gt_pols)):
            for det_num in range(len(det_pols)):
                if gt_taken[gt_num] or det_taken[det_num] or gt_num in gt_dont_care or \
                        det_num in det_dont_care:
                    continue
                if iou[gt_num][det_num] > iou_thr:
                    gt_taken[gt_num] = det_taken[det_num] = True
                    pairs.append([gt_num, det_num])
    care_gt = len(gt_pols) - len(gt_dont_care)
    care_det = len(det_pols) - len(det_dont_care)
    if care_gt == 0:
        recall = 1.0
        precision = 0.0 if care_det > 0 else 1.0
    else:
        recall = len(pairs) / care_gt
        precision = 0.0 if care_det == 0 else len(pairs) / care_det
    return dict(
        pairs=pairs,
        det_dont_care=det_dont_care,
        care_gt=care_gt,
        care_det=care_det,
        precision=precision,
        recall=recall)


def evaluate_dataset(images, iou_thr, area_precision_thr):
    results = [
        evaluate_image(image['gt'], image['ignored'], image['det'], iou_thr, area_precision_thr)
        for image in images
    ]
    matched = sum(len(result['pairs']) for result in results)
    care_gt = sum(result['care_gt'] for result in results)
    care_det = sum(result['care_det'] for result in results)
    recall = 0 if care_gt == 0 else matched / care_gt
    precision = 0 if care_det == 0 else matched / care_det
    hmean = 0 if recall + precision == 0 else 2 * recall * precision / (recall + precision)
    return dict(
        precision=precision,
        recall=recall,
        hmean=hmean,
        images=[
            dict(
                pairs=result['pairs'],
                det_dontcare=result['det_dont_care'],
                precision=result['precision'],
                recall=result['recall']) for result in results
        ])


def main(input_path, output_path):
    with open(input_path) as f:
        task = json.load(f)
    output = [
        evaluate_dataset(images, task['iou_thr'], task['area_precision_thr'])
        for images in task['datasets']
    ]
    with open(output_path, 'w') as f:
        json.dump(output, f)


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
    sys.stdout.flush()
    os._exit(0)  # Polygon3 aborts during interpreter teardown on Python >= 3.11
