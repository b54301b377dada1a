"""textboxes_retina.testing.load_tool imports a repository script as Python runs it: its folder
first on sys.path while it imports (and only then), never as ``__main__``."""
import os.path as osp
import sys

import pytest

from textboxes_retina.testing import REPO_ROOT, load_tool, repo_path


def test_repo_root_is_the_checkout():
    assert osp.isfile(osp.join(REPO_ROOT, 'setup.cfg'))
    assert osp.isdir(repo_path('tools')) and osp.isdir(repo_path('configs'))


def test_a_script_loads_afresh_without_running_its_main():
    before = list(sys.path)
    first = load_tool('tools/analysis_tools/kmeans_anchors.py')
    second = load_tool('tools/analysis_tools/kmeans_anchors.py')
    assert first is not second and first.__name__ == 'tool_analysis_tools_kmeans_anchors'
    assert first.__name__ != '__main__' and callable(first.main)
    assert sys.path == before


def test_a_script_imports_the_modules_beside_it():
    before = list(sys.path)
    benchmark = load_tool('tools/analysis_tools/benchmark.py')
    data = load_tool('tools/analysis_tools', 'benchmark_lib.data')
    assert benchmark.data is data  # the script's `from benchmark_lib import data`
    assert sys.path == before


def test_missing_paths_are_refused():
    with pytest.raises(FileNotFoundError, match='not a Python script'):
        load_tool('tools/no_such_tool.py')
    with pytest.raises(FileNotFoundError, match='not a folder'):
        load_tool('tools/no_such_folder', 'module')
