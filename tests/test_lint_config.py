"""The house style is one configuration: setup.cfg's tool sections, the Makefile's `lint` and
`format` targets, .pre-commit-config.yaml's local hooks and requirements/lint.txt agree, and the
hooks file is one pre-commit accepts."""
import configparser
import re
import subprocess
import sys
from pathlib import Path

import yaml

from textboxes_retina.testing import repo_path

TOOLS = ('isort', 'yapf', 'flake8')
FOLDERS = ['projects', 'tools', 'tests', 'configs']


def _setup_cfg():
    cfg = configparser.ConfigParser()
    cfg.read(repo_path('setup.cfg'))
    return cfg


def _makefile_recipe(target):
    with open(repo_path('Makefile')) as f:
        text = f.read()
    match = re.search(rf'^{target}:.*\n((?:\t.*\n)+)', text, re.M)
    assert match, f'no `{target}` target in the Makefile'
    return match.group(1)


def _hooks():
    with open(repo_path('.pre-commit-config.yaml')) as f:
        config = yaml.safe_load(f)
    (repo, ) = config['repos']
    assert repo['repo'] == 'local'  # hook repositories cannot be fetched here
    return {hook['id']: hook for hook in repo['hooks']}


def test_one_line_limit_and_mm_packages_third_party():
    cfg = _setup_cfg()
    assert cfg['flake8']['max-line-length'] == '100'
    assert cfg['isort']['line_length'] == '100'
    assert cfg['yapf']['column_limit'] == '100'
    assert cfg['yapf']['based_on_style'] == 'pep8'
    assert cfg['isort']['known_first_party'] == 'textboxes_retina'
    third = cfg['isort']['known_third_party'].split(',')
    assert {'mmcv', 'mmdet', 'mmengine', 'mmocr', 'mmpretrain'} <= set(third)
    assert cfg['isort']['multi_line_output'] == '0'


def test_lint_checks_what_format_writes_on_the_same_folders():
    lint, fmt = _makefile_recipe('lint'), _makefile_recipe('format')
    with open(repo_path('Makefile')) as f:
        paths = re.search(r'^LINT_PATHS\s*:?=\s*(.*)$', f.read(), re.M).group(1).split()
    assert paths == FOLDERS
    assert re.search(r'isort --check-only --diff \$\(LINT_PATHS\)', lint)
    assert re.search(r'yapf --diff --recursive \$\(LINT_PATHS\)', lint)
    assert re.search(r'flake8 \$\(LINT_PATHS\)', lint)
    assert 'pre-commit validate-config .pre-commit-config.yaml' in lint
    assert re.search(r'isort \$\(LINT_PATHS\)', fmt)
    assert re.search(r'yapf --in-place --recursive .*\$\(LINT_PATHS\)', fmt)
    with open(repo_path('.ci', 'run')) as f:
        ci = [line.strip() for line in f if line.strip() and not line.startswith('#')]
    assert ci.index('make lint') < ci.index('make test')


def test_pre_commit_hooks_run_the_venv_tools_on_the_linted_folders():
    hooks = _hooks()
    assert list(hooks) == list(TOOLS)
    for name, hook in hooks.items():
        assert hook['language'] == 'system'
        assert hook['entry'].split()[0] == f'.venv/bin/{name}'
        assert hook['types'] == ['python']
        for folder in FOLDERS:
            assert re.match(hook['files'], f'{folder}/x.py'), (name, folder)
        assert not re.match(hook['files'], 'docs/x.py')
    assert '--in-place' in hooks['yapf']['entry']


def test_lint_tools_are_pinned_and_installed_by_the_setup():
    with open(repo_path('requirements', 'lint.txt')) as f:
        pins = dict(line.strip().split('==') for line in f
                    if line.strip() and not line.startswith('#'))
    assert set(TOOLS) | {'pre-commit'} == set(pins)
    with open(repo_path('requirements', 'lock.txt')) as f:
        lock = {
            re.sub('[-_.]+', '-', n.lower()): v
            for n, v in (line.strip().split('==') for line in f if '==' in line)
        }
    for name, version in pins.items():
        assert lock[re.sub('[-_.]+', '-', name.lower())] == version, name
    with open(repo_path('tools', 'setup_env.sh')) as f:
        assert '-r "$ROOT/requirements/lint.txt"' in f.read()


def test_pre_commit_accepts_the_hooks_file():
    """pre-commit (requirements/lint.txt) parses the hooks file as `make lint` does."""
    result = subprocess.run(
        [sys.executable, '-m', 'pre_commit', 'validate-config', '.pre-commit-config.yaml'],
        cwd=repo_path(),
        capture_output=True,
        text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_package_and_tool_module_has_the_header():
    """One house style: each module of the package and of tools/ starts with the project's
    copyright line (after a shebang)."""
    header = '# Copyright (c) textboxes_retina authors.'
    repo, missing = Path(repo_path()), []
    for folder in ('projects/textboxes_retina', 'tools'):
        for path in sorted((repo / folder).rglob('*.py')):
            lines = path.read_text(encoding='utf-8').splitlines()
            if lines and lines[0].startswith('#!'):
                lines = lines[1:]
            if not lines or not lines[0].startswith(header):
                missing.append(str(path.relative_to(repo)))
    assert not missing, missing
