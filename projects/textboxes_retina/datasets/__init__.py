"""Datasets reading the official ICDAR / MLT / SynthText files, and quad-aware transforms."""
from .transforms import *  # noqa: F401,F403
