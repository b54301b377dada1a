"""Importing ``textboxes_retina`` registers every public module into MMOCR's registries."""
import subprocess
import sys

import pytest

import textboxes_retina  # noqa: F401

EXPECTED = {
    'MODELS': [
        'TextBoxesRetina', 'TextBoxesRetinaHead', 'SEResNet', 'BatchSyncQuadRandomResize',
        'ONNXRuntimeTextDetector'
    ],
    'HOOKS': ['CPUTimeBudgetHook'],
    'TASK_UTILS': ['TextBoxesAnchorGenerator', 'QuadDeltaCoder'],
    'DATASETS': ['ICDAR2015Dataset', 'ICDAR2013Dataset', 'MLT2017Dataset', 'SynthTextDataset'],
    'TRANSFORMS': ['QuadRandomCrop'],
    'METRICS': ['IC15HmeanMetric', 'IC13DetEvalMetric'],
}


@pytest.mark.parametrize('registry,name',
                         [(reg, name) for reg, names in EXPECTED.items() for name in names])
def test_registered_in_mmocr_scope(registry, name):
    import mmocr.registry
    reg = getattr(mmocr.registry, registry)
    assert name in reg.module_dict, f'{name} is not registered in mmocr {registry}'
    # and reachable the way configs name it, under default_scope='mmocr'
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmocr'):
        assert reg.get(name) is reg.module_dict[name]


def test_import_works_from_any_directory(tmp_path):
    proc = subprocess.run(
        [sys.executable, '-c', 'import textboxes_retina, sys; print(textboxes_retina.__file__)'],
        cwd=tmp_path,
        capture_output=True,
        text=True)
    assert proc.returncode == 0, proc.stderr
    assert 'projects/textboxes_retina/__init__.py' in proc.stdout


def test_version_is_exposed():
    assert textboxes_retina.__version__.count('.') == 2
