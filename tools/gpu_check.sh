#!/usr/bin/env bash
# The prepared GPU check: one command, one JSON (work_dirs/gpu_check/gpu_check.json), under 8
# minutes on one GPU. Run it on a CUDA machine after the README's setup (tools/setup_env.sh, which
# builds the same CPU-op mmcv as everywhere: the models use no mmcv op, so nothing else is needed):
#
#   tools/gpu_check.sh                          # CUDA: the suite's CUDA cases, 200 AMP iterations
#                                               # of the SE-ResNet50 C2-P7 config, latency at
#                                               # 768/1024/1280 for our models and DBNet-R50
#   tools/gpu_check.sh --device cpu --quick     # dry run on a CPU (a couple of minutes)
#   tools/gpu_check.sh --out-dir DIR --steps environment tests training inference --iters 200
#
# Progress is printed as it goes and the JSON is rewritten after each step, so an interrupted run
# keeps what it measured. Exit status 0 when every step passed. See tools/gpu_check.py.
# Environment: TEXTBOXES_VENV (default <repo>/.venv), PYTHON (used when no venv exists).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${TEXTBOXES_VENV:-$ROOT/.venv}
if [[ -x $VENV/bin/python ]]; then
    PY=$VENV/bin/python
elif [[ -n ${PYTHON:-} ]]; then
    PY=$PYTHON
else
    echo "gpu_check: no environment at $VENV; run tools/setup_env.sh (or make setup) first," \
        "or set PYTHON to an interpreter that has the stack installed." >&2
    exit 2
fi
cd "$ROOT"
exec "$PY" tools/gpu_check.py "$@"
