# textboxes_retina: every entry point sets the environment up first (a no-op when it is ready).
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup test lint format demo clean-venv

# The house style (setup.cfg [isort], [yapf], [flake8]; tools pinned in requirements/lint.txt).
LINT_PATHS := projects tools tests configs

setup:
	bash tools/setup_env.sh

test: setup
	$(PYTHON) -m pytest tests $(PYTEST_ARGS)

# isort and yapf in diff mode (exit 1 on any difference), flake8, and the pre-commit hooks' file.
lint: setup
	$(VENV)/bin/pre-commit validate-config .pre-commit-config.yaml
	$(VENV)/bin/isort --check-only --diff $(LINT_PATHS)
	$(VENV)/bin/yapf --diff --recursive $(LINT_PATHS)
	$(VENV)/bin/flake8 $(LINT_PATHS)

# Apply the style in place: what `make lint` checks.
format: setup
	$(VENV)/bin/isort $(LINT_PATHS)
	$(VENV)/bin/yapf --in-place --recursive --parallel $(LINT_PATHS)

demo: setup
	$(PYTHON) tools/demo.py

clean-venv:
	rm -rf $(VENV)
