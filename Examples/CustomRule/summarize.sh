#!/bin/sh
# summarize.sh LOG SERIES N: per seed, the mean of SERIES over its first N and last N units
# (reads the HDF5 run log with h5dump; no Python packages needed).
log=$1; series=${2:-episode_return}; n=${3:-50}
for group in $(h5ls "$log" | awk '/^seed_/ {print $1}'); do
  h5dump -y -w0 -d "/$group/$series" "$log" | awk -v g="$group" -v n="$n" '
    /DATA/ {d=1; next} d && /[0-9]/ { gsub(/[},]/, " "); for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9.eE+-]+$/) v[c++] = $i }
    END { for (i = 0; i < n; i++) { f += v[i]; l += v[c-1-i] }
          printf "%s  units %d  first-%d mean %.3f  last-%d mean %.3f\n", g, c, n, f/n, n, l/n }'
done
