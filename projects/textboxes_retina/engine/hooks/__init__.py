# Copyright (c) textboxes_retina authors.
"""Runner hooks. Importing this module registers ``QuadVisualizationHook`` and
``CPUTimeBudgetHook`` in MMOCR's ``HOOKS``."""
from .cpu_time_budget_hook import CPUTimeBudgetHook
from .quad_visualization_hook import QuadVisualizationHook

__all__ = ['CPUTimeBudgetHook', 'QuadVisualizationHook']
