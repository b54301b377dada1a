# Copyright (c) textboxes_retina authors.
"""Pure numpy implementations of the official ICDAR evaluation protocols.

- :mod:`.rrc_common`: conventions of every RRC script (integer truncation, global counts).
- :mod:`.rrc_polygon`: quads measured as the IC15 script's ``Polygon`` library does.
- :mod:`.ic15_protocol`: ICDAR 2015 Challenge 4 (IoU), for a whole dataset at once.
- :mod:`.ic13_deteval_protocol`: ICDAR 2013 Challenge 2 (DetEval rectangles), per image.
"""
from .ic13_deteval_protocol import (DETEVAL_WEIGHTS, deteval_area_matrices, deteval_dontcare,
                                    deteval_image_result, deteval_match, deteval_method_metrics,
                                    deteval_rectangles, evaluate_deteval_image)
from .ic15_protocol import (ic15_dataset_image_results, ic15_dataset_match,
                            ic15_dataset_method_metrics, ic15_dataset_overlaps, ic15_sample_metrics)
from .rrc_common import harmonic_mean, method_metrics, truncate_coordinates
from .rrc_polygon import rrc_intersection_areas, rrc_polygon_areas, rrc_polygon_geometries

__all__ = [
    'DETEVAL_WEIGHTS', 'deteval_area_matrices', 'deteval_dontcare', 'deteval_image_result',
    'deteval_match', 'deteval_method_metrics', 'deteval_rectangles', 'evaluate_deteval_image',
    'ic15_dataset_image_results', 'ic15_dataset_match', 'ic15_dataset_method_metrics',
    'ic15_dataset_overlaps', 'ic15_sample_metrics', 'harmonic_mean', 'method_metrics',
    'truncate_coordinates', 'rrc_intersection_areas', 'rrc_polygon_areas', 'rrc_polygon_geometries'
]
