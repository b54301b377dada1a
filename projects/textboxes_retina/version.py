# Copyright (c) textboxes_retina authors.
__version__ = '0.1.0'
