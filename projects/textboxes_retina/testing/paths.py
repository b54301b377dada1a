# Copyright (c) textboxes_retina authors.
"""The repository's folders and scripts, for tests."""
import importlib
import importlib.util
import os.path as osp
import sys
from contextlib import contextmanager
from types import ModuleType
from typing import Iterator, Optional

#: The source checkout this package is installed from (editable): ``projects/textboxes_retina``
#: is two levels below it.
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def repo_path(*parts: str) -> str:
    """The absolute path of ``parts`` (joined) below :data:`REPO_ROOT`."""
    return osp.join(REPO_ROOT, *parts)


@contextmanager
def _first_on_sys_path(folder: str) -> Iterator[None]:
    """``folder`` first on ``sys.path`` while the block runs, as Python puts a script's folder
    when it runs the script (so that the script imports the modules beside it)."""
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        sys.path.remove(folder)


def load_tool(path: str, module: Optional[str] = None) -> ModuleType:
    """Import a script of the repository, or a module beside it, as a module.

    A script (``tools/infer.py``) is executed afresh under a private name
    (``tool_infer``), as ``python tools/infer.py`` would, except ``__main__``; modules beside it
    (``tools/analysis_tools/benchmark_lib``) import as they do when the script runs. With
    ``module``, ``path`` is a folder and ``module`` a dotted name importable from it (e.g.
    ``load_tool('tools/analysis_tools', 'benchmark_lib.data')``); that import is cached in
    ``sys.modules`` like any other.

    Args:
        path (str): Script (``.py``) or folder, relative to :data:`REPO_ROOT`.
        module (str, optional): Module to import from the folder ``path``. Defaults to None.

    Returns:
        ModuleType: The module.
    """
    full = repo_path(path)
    if module is not None:
        if not osp.isdir(full):
            raise FileNotFoundError(f'{full} is not a folder of the repository')
        with _first_on_sys_path(full):
            return importlib.import_module(module)
    if not osp.isfile(full) or not full.endswith('.py'):
        raise FileNotFoundError(f'{full} is not a Python script of the repository')
    name = 'tool_' + osp.splitext(osp.relpath(full, repo_path('tools')))[0].replace(
        osp.sep, '_').replace('.', '_')
    spec = importlib.util.spec_from_file_location(name, full)
    tool = importlib.util.module_from_spec(spec)
    with _first_on_sys_path(osp.dirname(full)):
        spec.loader.exec_module(tool)
    return tool
