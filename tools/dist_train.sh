#!/usr/bin/env bash
# Distributed training with torchrun: tools/dist_train.sh CONFIG GPUS [train.py options]
# GPUS: processes on this node (on a CPU-only machine: processes, gloo backend).
# Environment: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR (127.0.0.1), PYTHON (python).
exec "$(dirname "$0")/dist_launch.sh" train.py "$2" "$1" "${@:3}"
