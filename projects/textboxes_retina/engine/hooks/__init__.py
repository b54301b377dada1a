"""Runner hooks. Importing this module registers ``QuadVisualizationHook`` in MMOCR's
``HOOKS``."""
from .quad_visualization_hook import QuadVisualizationHook

__all__ = ['QuadVisualizationHook']
