"""Builders of MMOCR text-detection samples for the evaluation tests."""
import pytest

from textboxes_retina.testing.evaluation import box, make_sample, random_quad_samples, run_metric


@pytest.fixture
def sample_tools():
    """The builders of :mod:`textboxes_retina.testing.evaluation`, as a fixture."""
    return dict(
        box=box,
        make_sample=make_sample,
        run_metric=run_metric,
        random_quad_samples=random_quad_samples)
