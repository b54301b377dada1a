#!/usr/bin/env bash
# Set up the textboxes_retina development environment: one path used by the README, `make` and CI.
#
#   tools/setup_env.sh            create/refresh ./.venv and install everything
#
# What it does (each step is skipped when already done):
#   1. creates a virtual environment in the repo (./.venv, git-ignored);
#   2. installs torch 2.13.0 + torchvision 0.28.0, the registry's standard builds;
#   3. builds mmcv 2.0.1 from its sdist with CPU ops, once, into a wheel cache outside the repo
#      (${TEXTBOXES_WHEEL_CACHE:-~/.cache/textboxes_retina/wheels}) and reuses that wheel afterwards;
#      the same CPU-op build on GPU machines too: the models call no mmcv op, so they train and
#      infer on CUDA without mmcv's CUDA kernels (DEVELOPERS.md, "GPUs"; tools/gpu_check.sh);
#   4. installs the pinned stack (requirements/*.txt, requirements/lock.txt; deploy.txt: onnx and
#      onnxruntime for the ONNX export and ONNX Runtime inference; lint.txt: the `make lint`
#      tools) and this package in editable mode.
# A finished setup writes a stamp into the venv; re-running with nothing changed is a no-op.
#
# Environment variables:
#   PYTHON                 interpreter used to create the venv (default: python3)
#   TEXTBOXES_VENV         venv location (default: <repo>/.venv)
#   TEXTBOXES_WHEEL_CACHE  where the built mmcv wheel is kept (default: ~/.cache/textboxes_retina/wheels)
#   MAX_JOBS               parallel compile jobs for mmcv (default: number of cores)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${TEXTBOXES_VENV:-$ROOT/.venv}
CACHE=${TEXTBOXES_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/textboxes_retina/wheels}
PYTHON=${PYTHON:-python3}
MMCV_VERSION=2.0.1
TORCH_VERSION=2.13.0
TORCHVISION_VERSION=0.28.0
START=$(date +%s)

say() { printf '[setup %4ds] %s\n' $(( $(date +%s) - START )) "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# pip on some machines is configured (config files, PIP_FIND_LINKS) to prefer a local CPU-only torch
# wheel. torchvision from the registry links torch's CUDA libraries, so torch must be the registry's
# standard build: torch is installed with the machine's pip configuration switched off.
pip_registry() { env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null "$VENV/bin/python" -m pip "$@"; }

stamp_file=$VENV/.textboxes_retina_setup
stamp=$(cat "$ROOT/tools/setup_env.sh" "$ROOT/requirements/"*.txt "$ROOT/setup.cfg" "$ROOT/pyproject.toml" \
        | sha256sum | cut -d' ' -f1)

if [[ -f $stamp_file && $(cat "$stamp_file") == "$stamp" ]] \
   && "$VENV/bin/python" -c "import textboxes_retina, mmcv.ops" 2>/dev/null; then
    say "environment at $VENV is up to date (nothing to do)"
    exit 0
fi

# 1. virtual environment --------------------------------------------------------------------------
if [[ ! -x $VENV/bin/python ]]; then
    command -v "$PYTHON" >/dev/null || die "no '$PYTHON' found; set PYTHON to a Python 3.10-3.12 interpreter"
    say "creating virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi
pyver=$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
say "python $pyver in $VENV"

# 2. torch ------------------------------------------------------------------------------------------
have_torch=$("$VENV/bin/python" -c 'import torch, torchvision
print(torch.__version__.split("+")[0], torchvision.__version__.split("+")[0])' 2>/dev/null || true)
if [[ $have_torch != "$TORCH_VERSION $TORCHVISION_VERSION" ]]; then
    say "installing torch $TORCH_VERSION + torchvision $TORCHVISION_VERSION (standard registry build, ~2.5 GB download, 1-3 min)"
    pip_registry install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION" "numpy<2" wheel
else
    say "torch $TORCH_VERSION + torchvision $TORCHVISION_VERSION already installed"
fi

# 3. mmcv, built once into the wheel cache ------------------------------------------------------------
wheel_dir=$CACHE/mmcv-$MMCV_VERSION-torch$TORCH_VERSION-py$pyver-cpu
mkdir -p "$wheel_dir"
mmcv_wheel=$(ls "$wheel_dir"/mmcv-$MMCV_VERSION-*.whl 2>/dev/null | head -n 1 || true)
if [[ -z $mmcv_wheel ]]; then
    jobs=${MAX_JOBS:-$(nproc)}
    say "building mmcv $MMCV_VERSION with CPU ops from source: this happens once per machine and takes"
    say "about 10 minutes on 2 cores (scales with cores; MAX_JOBS=$jobs). The wheel goes to $wheel_dir"
    build=$(mktemp -d "${TMPDIR:-/tmp}/mmcv-build.XXXXXX")
    log=$CACHE/mmcv-build.log
    # mmcv 2.0.1's setup.py imports pkg_resources, gone from the setuptools that torch 2.13 needs:
    # an old setuptools (and ninja for parallel compiles) go into a private folder for the build only.
    pip_registry install -q --target "$build/tools" "setuptools<70" ninja >"$log" 2>&1 \
        || die "could not install the build tools (log: $log); run 'make setup' again."
    export PATH=$build/tools/bin:$PATH
    say "fetching the mmcv $MMCV_VERSION sdist"
    PYTHONPATH=$build/tools pip_registry download -q --no-deps --no-binary :all: --no-build-isolation \
        "mmcv==$MMCV_VERSION" -d "$build" >>"$log" 2>&1 \
        || die "could not fetch the mmcv sdist (log: $log). Check the network and run 'make setup' again."
    tar -xzf "$build/mmcv-$MMCV_VERSION.tar.gz" -C "$build"
    # It hard-codes -std=c++14, which torch 2.13's headers reject; build with c++17.
    sed -i 's/-std=c++14/-std=c++17/g' "$build/mmcv-$MMCV_VERSION/setup.py"
    say "compiling (log: $log)"
    if ! (cd "$build/mmcv-$MMCV_VERSION" && MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=$jobs \
          PYTHONPATH=$build/tools pip_registry wheel -v --no-deps --no-build-isolation . -w "$build/dist") \
          >>"$log" 2>&1; then
        tail -n 30 "$log" >&2
        die "the mmcv build failed (full log: $log). Usual causes: no C++ compiler (apt-get install g++),
       too little memory (retry with MAX_JOBS=1), missing Python headers (python3-dev).
       Nothing was cached: fix the cause and run 'make setup' (or tools/setup_env.sh) again."
    fi
    mv "$build"/dist/mmcv-*.whl "$wheel_dir/"
    rm -rf "$build"
    mmcv_wheel=$(ls "$wheel_dir"/mmcv-$MMCV_VERSION-*.whl | head -n 1)
    say "mmcv wheel cached: $mmcv_wheel"
else
    say "using cached mmcv wheel $mmcv_wheel"
fi

# 4. the pinned stack and this package ---------------------------------------------------------------
say "installing the pinned OpenMMLab stack and textboxes_retina (editable)"
pip_registry install -q "$mmcv_wheel" -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt" \
    -r "$ROOT/requirements/deploy.txt" -r "$ROOT/requirements/demo.txt" -r "$ROOT/requirements/lint.txt" \
    -c "$ROOT/requirements/lock.txt"
pip_registry install -q --no-deps --no-build-isolation -e "$ROOT"

say "checking the installation"
(cd / && "$VENV/bin/python" -c "import textboxes_retina, mmcv.ops, mmdet, mmocr.datasets; \
print('textboxes_retina', textboxes_retina.__version__, '| mmcv', mmcv.__version__, '| mmdet', mmdet.__version__, '| mmocr', mmocr.__version__)") \
    || die "the installed environment does not import; see the error above"
echo "$stamp" >"$stamp_file"
say "done: activate with 'source $VENV/bin/activate'"
