# Copyright (c) textboxes_retina authors.
"""Runner-side parts: hooks, optimizer wrappers and the runner set-up shared by the tools."""
from .hooks import *  # noqa: F401,F403
from .optim_wrappers import *  # noqa: F401,F403
from .runner_setup import *  # noqa: F401,F403
