#!/usr/bin/env bash
# Runs the official NRL code seed by seed, one process at a time, under nice -n 19 and the
# SCHED_IDLE policy (chrt -i 0; the driver re-asserts both, see low_priority.py).
# Resumable: a seed whose partial file exists is skipped.
# Usage: scripts/authors-code/run_nrl.sh CODE_DIR COMMIT EXPERIMENT "SEEDS..." [EXPERIMENT "SEEDS..."]...
#   e.g. run_nrl.sh /tmp/nrl_code 659f25a1... depth1-nrl "42 101 300 482 708" depth1-rmhl "42 101"
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PYTHON:-/tmp/nrl-venv/bin/python}
CODE=$1; COMMIT=$2; shift 2
while [ $# -ge 2 ]; do
  exp=$1; seeds=$2; shift 2
  dir=$ROOT/data/authors-code/nrl/partial/$exp
  logdir=${LOGDIR:-/tmp/authors-code-logs}
  mkdir -p "$dir" "$logdir"
  for s in $seeds; do
    out=$dir/seed-$s.json
    [ -f "$out" ] && { echo "skip $exp seed $s (done)"; continue; }
    echo "$(date -u +%FT%TZ) start $exp seed $s"
    nice -n 19 chrt -i 0 "$PY" "$ROOT/scripts/authors-code/nrl_rl.py" --code "$CODE" --commit "$COMMIT" \
      --experiment "$exp" --seed "$s" --out "$out" > "$logdir/nrl-$exp-seed-$s.log" 2>&1
    echo "$(date -u +%FT%TZ) end $exp seed $s rc=$? $(tail -1 "$logdir/nrl-$exp-seed-$s.log")"
  done
done
