"""Runner-side parts: hooks."""
from .hooks import *  # noqa: F401,F403
from .optim_wrappers import *  # noqa: F401,F403
from .runner_setup import *  # noqa: F401,F403
