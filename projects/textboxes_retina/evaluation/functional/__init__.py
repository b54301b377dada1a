"""Pure numpy implementations of the official ICDAR evaluation protocols."""
from .ic13_deteval_protocol import (DETEVAL_WEIGHTS, deteval_area_matrices, deteval_dontcare,
                                    deteval_image_result, deteval_match, deteval_method_metrics,
                                    evaluate_deteval_image, quads_to_ltrb)
from .ic15_dataset import (ic15_dataset_image_results, ic15_dataset_match,
                           ic15_dataset_method_metrics, ic15_dataset_overlaps)
from .ic15_protocol import (evaluate_ic15_image, ic15_image_result, ic15_match,
                            ic15_method_metrics, ic15_overlaps, ic15_sample_metrics, quad_areas,
                            quad_intersection_areas, quads_to_geometries)
from .rrc_common import harmonic_mean, method_metrics, truncate_coordinates

__all__ = [
    'DETEVAL_WEIGHTS',
    'deteval_area_matrices', 'deteval_dontcare', 'deteval_image_result', 'deteval_match',
    'deteval_method_metrics', 'evaluate_deteval_image', 'quads_to_ltrb',
    'ic15_dataset_image_results', 'ic15_dataset_match', 'ic15_dataset_method_metrics',
    'ic15_dataset_overlaps', 'evaluate_ic15_image', 'ic15_image_result', 'ic15_match',
    'ic15_method_metrics', 'ic15_overlaps', 'ic15_sample_metrics', 'quad_areas',
    'quad_intersection_areas', 'quads_to_geometries', 'harmonic_mean', 'method_metrics',
    'truncate_coordinates'
]
