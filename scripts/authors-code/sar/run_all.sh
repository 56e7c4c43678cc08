#!/bin/bash
# run_all.sh -- the runs committed in data/authors-code/sar/, one at a time, nice -n 19.
#  (a) shipped: srand(5) as in run.cpp:353, the authors' stop rule (quit at success,
#      run.cpp:329-334), capped at 10,000 control steps.
#  (b) ours:    seeds 0..4 (SAR_SEED -> srand(seed): initial weights), the success stop
#      ignored (SAR_IGNORE_QUIT=1), fixed budget of 5,000 control steps.
set -u
HERE=$(cd "$(dirname "$0")" && pwd); RUNS=${RUNS:-/tmp/sar-runs}; B=${OUT:-/tmp/sar-build}
one() { # rule set seed maxsteps ignorequit
  local d=$RUNS/$1-$2-$3
  "$HERE/run_one.sh" "$B/lf-$1/enkisimulator" "$d" "$4" "$3" "$5"
  echo "$3" > "$d/seed.txt"
  echo "$(date -u +%T) $1 $2 seed=$3 wall=$(cat $d/wall_seconds.txt)s $(grep -h 'Learning was achieved' $d/stdout.txt | head -1)"
}
one gdm shipped shipped 10000 0
one sar shipped shipped 10000 0
for s in 0 1 2 3 4; do
  one gdm ours $s 5000 1
  one sar ours $s 5000 1
done
one gdm shipped2 shipped 10000 0   # repeat: is the shipped run deterministic?
