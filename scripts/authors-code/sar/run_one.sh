#!/bin/bash
# run_one.sh <binary> <rundir> <max_steps> [seed|shipped] [ignore_quit 0|1]
# Runs the authors' unmodified line follower once, headless, under nice -n 19.
# The big per-step logs the program writes (filter bank, predictors, per-step weight
# snapshots) are pointed at /dev/null by symlinks so that a 50,000-step run does not
# write gigabytes; errorData.tsv (E per step), errorInteg.tsv, coordData.tsv,
# speeds.tsv and weight_distances.tsv are kept.
set -u
BIN=$1; RUNDIR=$2; MAXSTEPS=$3; SEED=${4:-shipped}; IGNQ=${5:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
SHIM=${SHIM:-/tmp/sar-build/runshim.so}
rm -rf "$RUNDIR"; mkdir -p "$RUNDIR"; cd "$RUNDIR"
cp "$(dirname "$BIN")/cc.png" .
for f in fp1.tsv fp2.tsv fp3.tsv fp4.tsv fp5.tsv predictors.tsv gradient.tsv \
         layerWeight1.csv layerWeight2.csv layerWeight3.csv layerWeight4.csv layerWeight5.csv \
         layerWeight6.csv layerWeight7.csv layerWeight8.csv layerWeight9.csv \
         "layerWeight;.csv" "layerWeight:.csv"; do ln -sf /dev/null "$f"; done
export SAR_TIMER_MS=0 SAR_MAX_STEPS=$MAXSTEPS SAR_IGNORE_QUIT=$IGNQ
if [ "$SEED" != shipped ]; then export SAR_SEED=$SEED; else unset SAR_SEED; fi
export LD_PRELOAD=$SHIM QT_QPA_PLATFORM=xcb LIBGL_ALWAYS_SOFTWARE=1
START=$(date +%s.%N)
/usr/bin/time -v -o time.txt nice -n 19 xvfb-run -a -s "-screen 0 800x600x24" "$BIN" > stdout.txt 2> stderr.txt
echo "rc=$?" >> stdout.txt
END=$(date +%s.%N)
python3 -c "print(f'{$END-$START:.1f}')" > wall_seconds.txt
