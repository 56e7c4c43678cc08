#!/bin/bash
# build.sh -- fetch-free build of the authors' code (sources already checked out):
#   ENKI_SRC  = Sama-Darya/enkiSimulator @ 8a3c1d738b40e4606ba436d37e1b636e5313440e
#   CLDL_SRC  = Sama-Darya/CLDL          @ 6818e4014b62d7d2f2e6bae0c192ff14cc556da5
# Nothing in the sources is edited.  Deviations from the authors' README build
# ("qmake; make; sudo make install" for enki, CMake + install for CLDL) are only
# on the build-system side: out-of-source builds in $OUT, no install into
# /usr/local; the line follower's hard-coded /usr/local paths are replaced on the
# qmake command line (qmake -after ...).  Everything runs under nice -n 19, -j1.
# Usage: build.sh [gdm|sar]   (sar = -DsignificanceLearning, the switch that is
# commented out in parameters.h:10)
set -eu
ENKI_SRC=${ENKI_SRC:-/tmp/enki}; CLDL_SRC=${CLDL_SRC:-/tmp/cldl}; OUT=${OUT:-/tmp/sar-build}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
# 0. run shim (ours)
nice -n 19 gcc -O2 -shared -fPIC -o "$OUT/runshim.so" "$HERE/runshim.c" -ldl
# 1. CLDL (its CMakeLists defaults to CMAKE_BUILD_TYPE=Debug; kept)
if [ ! -f "$OUT/cldl/libcldl_static.a" ]; then
  nice -n 19 cmake -S "$CLDL_SRC" -B "$OUT/cldl"
  nice -n 19 make -C "$OUT/cldl" -j1 cldl_static
fi
# 2. Enki library (its enki.pro: CONFIG debug staticlib, -std=c++0x -march=native)
if [ ! -f "$OUT/enki/libenki.a" ]; then
  mkdir -p "$OUT/enki"; (cd "$OUT/enki" && nice -n 19 qmake "$ENKI_SRC/enki/enki.pro" && nice -n 19 make -j1)
fi
# 3. line follower, one binary per rule
RULE=${1:-gdm}
B="$OUT/lf-$RULE"; mkdir -p "$B"
DEFS=""; [ "$RULE" = sar ] && DEFS="DEFINES+=significanceLearning"
(cd "$B" && nice -n 19 qmake "$ENKI_SRC/examples/line_follower/enkiSimulator.pro" \
   -after "INCLUDEPATH+=$ENKI_SRC $ENKI_SRC/enki $CLDL_SRC/include" \
   "LIBS-=/usr/local/lib/libenki.a" "LIBS-=/usr/local/lib/libcldl_static.a" \
   "LIBS+=$OUT/enki/libenki.a $OUT/cldl/libcldl_static.a -lGLU -lGL" "QMAKE_LFLAGS+=-L$OUT/enki" $DEFS \
 && nice -n 19 make -j1)
cp "$ENKI_SRC/examples/line_follower/cc.png" "$B/"
ls -la "$B/enkisimulator"
