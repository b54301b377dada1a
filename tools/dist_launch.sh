#!/usr/bin/env bash
# Run a tool of this folder in NPROC processes per node with torchrun (--launcher pytorch):
#   tools/dist_launch.sh TOOL NPROC [tool arguments]      (used by dist_train.sh, dist_test.sh)
# NPROC: processes on this node, one per GPU (on a CPU-only machine: processes, gloo backend).
# Environment: NNODES (1), NODE_RANK (0), PORT (29500), MASTER_ADDR (127.0.0.1), PYTHON (python).
# PORT=0 (one node only): torchrun's c10d rendezvous binds a free port and holds it, so parallel
# runs (tests, several jobs on one machine) never race for a port.

TOOL=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}

if [ "$PORT" = "0" ]; then
    RENDEZVOUS=(--nproc_per_node=$NPROC --rdzv-backend=c10d --rdzv-endpoint=$MASTER_ADDR:0)
else
    RENDEZVOUS=(--master_addr=$MASTER_ADDR --nproc_per_node=$NPROC --master_port=$PORT)
fi

PYTHONPATH="$(dirname $0)/..":$PYTHONPATH \
exec $PYTHON -m torch.distributed.run \
    --nnodes=$NNODES \
    --node_rank=$NODE_RANK \
    "${RENDEZVOUS[@]}" \
    "$(dirname "$0")/$TOOL" \
    "${@:3}" \
    --launcher pytorch
