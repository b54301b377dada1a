# Copyright (c) textboxes_retina authors.
"""Helpers of the test suite: seeded inputs, tiny configs and models, drawn text samples, and the
import of the repository's scripts (``tools/*.py``).

The tests import these instead of loading scripts or sibling test files through ``sys.path`` or
``importlib.util.spec_from_file_location``. The package does not import this module; it needs a
source checkout (the configs and tools of the repository) and the test requirements.

- :mod:`.paths`: :data:`REPO_ROOT`, :func:`load_tool` (a ``tools/`` script as a module).
- :mod:`.configs`: the small configs, tiny heads, detectors with spread scores, short training
  configs.
- :mod:`.inputs`: seeded feature maps and ground truth of the head tests.
- :mod:`.evaluation`: MMOCR text-detection samples for the metric tests, fed as the evaluator does.
- :mod:`.drawn_samples`: images of drawn words with their quads, and the overfitting loop.
- :mod:`.painted_samples`: hypothesis strategies of tiny images with painted words, for the quad
  transforms.
"""
from .paths import REPO_ROOT, load_tool, repo_path

__all__ = ['REPO_ROOT', 'load_tool', 'repo_path']
