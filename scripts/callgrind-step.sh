#!/usr/bin/env bash
# Instructions per environment step of one `threefactor bench` row, counted by callgrind:
# repeatable whatever else the machine is doing, unlike seconds.
#
# The row runs twice under callgrind, at --scale S and 2S (its [[bench]] steps x S and x 2S
# environment steps, papers/<paper>/experiments.toml); the difference of the two totals over
# the difference of the steps is the cost of one step, without start-up, parsing and
# network construction. The binary is run from a copy without debug information (valgrind
# 3.19 cannot read the DWARF of Swift 6.3's release builds).
#
# Usage: scripts/callgrind-step.sh EXPERIMENT [SCALE]     e.g. scripts/callgrind-step.sh cartpole-map-prop
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exp=${1:?usage: callgrind-step.sh EXPERIMENT [SCALE]}
scale=${2:-0.01}
command -v valgrind > /dev/null || { echo "callgrind-step.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
steps=$(python3 - "$ROOT" "$exp" <<'EOF'
import glob, sys, tomllib
root, exp = sys.argv[1], sys.argv[2]
for path in sorted(glob.glob(f"{root}/papers/*/experiments.toml")):
    with open(path, "rb") as f:
        for row in tomllib.load(f).get("bench", []):
            if row["experiment"] == exp:
                print(row["steps"]); sys.exit(0)
sys.exit(f"callgrind-step.sh: no [[bench]] row for experiment {exp} in papers/*/experiments.toml")
EOF
)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --strip-debug "$ROOT/.build/release/threefactor" "$work/threefactor"
count() {  # total instructions of the row at scale $1
  (cd "$ROOT" && valgrind --tool=callgrind --callgrind-out-file="$work/out" "$work/threefactor" bench \
      --scale "$1" --filter ": $exp)" > "$work/log" 2>&1) || { cat "$work/log" >&2; exit 1; }
  grep -o 'Collected : [0-9]*' "$work/log" | grep -o '[0-9]*$'
}
python3 - "$exp" "$steps" "$scale" "$(count "$scale")" "$(count "$(python3 -c "print(2 * $scale)")")" <<'EOF'
import sys
exp, steps, scale, one, two = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
n1, n2 = round(steps * scale), round(steps * 2 * scale)
print(f"{exp}: {(two - one) / (n2 - n1):,.0f} instructions per environment step "
      f"(callgrind: {one:,} at {n1:,} steps, {two:,} at {n2:,} steps)")
EOF
