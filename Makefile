# textboxes_retina: every entry point sets the environment up first (a no-op when it is ready).
VENV   ?= .venv
PYTHON := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup test demo clean-venv

setup:
	bash tools/setup_env.sh

test: setup
	$(PYTHON) -m pytest tests $(PYTEST_ARGS)

demo: setup
	$(PYTHON) tools/demo.py

clean-venv:
	rm -rf $(VENV)
