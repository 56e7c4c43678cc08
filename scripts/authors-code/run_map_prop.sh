#!/usr/bin/env bash
# Runs the official MAP propagation code seed by seed, one process at a time, under nice -n 19
# and the SCHED_IDLE policy (chrt -i 0; the driver re-asserts both, see map_prop_rl.py).
# Resumable: a seed whose partial file exists is skipped.
# Usage: scripts/authors-code/run_map_prop.sh CODE_DIR TASK "SEEDS..." [TASK "SEEDS..."]...
#   e.g. run_map_prop.sh /tmp/map_prop acrobot "0 1 2 3 4 5 6 7 8 9" mountaincar "0 1 2"
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-/tmp/authors-venv/bin/python}
CODE=$1; shift
declare -A EXP=([acrobot]=acrobot-map-prop [mountaincar]=mountaincar-map-prop [cartpole]=cartpole-map-prop [lunarlander]=lunarlander-map-prop)
while [ $# -ge 2 ]; do
  task=$1; seeds=$2; shift 2
  exp=${EXP[$task]}
  dir=$ROOT/data/authors-code/map-prop/partial/$exp
  logdir=${LOGDIR:-/tmp/authors-code-logs}
  mkdir -p "$dir" "$logdir"
  for s in $seeds; do
    out=$dir/seed-$s.json
    [ -f "$out" ] && { echo "skip $exp seed $s (done)"; continue; }
    echo "$(date -u +%FT%TZ) start $exp seed $s"
    nice -n 19 chrt -i 0 "$PY" "$ROOT/scripts/authors-code/map_prop_rl.py" --code "$CODE" --task "$task" --seed "$s" --out "$out" \
      > "$logdir/$exp-seed-$s.log" 2>&1
    echo "$(date -u +%FT%TZ) end $exp seed $s rc=$? $(tail -1 "$logdir/$exp-seed-$s.log")"
  done
done
