#!/usr/bin/env python3
"""make_json.py -- writes data/authors-code/sar/*.json from the run directories of run_all.sh."""
import json, os, subprocess, sys, glob, datetime
HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.environ.get("RUNS", "/tmp/sar-runs")
DATA = os.path.join(HERE, "../../../data/authors-code/sar")
os.makedirs(DATA, exist_ok=True)
versions = {
  "enkiSimulator": "8a3c1d738b40e4606ba436d37e1b636e5313440e (2021-10-16 'learning state')",
  "CLDL": "6818e4014b62d7d2f2e6bae0c192ff14cc556da5 (2021-10-16 'learning state', 17 s after the simulator's commit of the same name)",
  "compiler": "g++ (Debian 12.2.0-14+deb12u1) 12.2.0, the authors' flags: CLDL CMake default Debug (-g, asserts on); enki.pro/enkiSimulator.pro CONFIG debug, -std=c++0x -march=native",
  "Qt": "5.15.8 (Debian qtbase5-dev 5.15.8+dfsg-11+deb12u3, libqt5opengl5-dev same)",
  "Boost": "1.74.0 (Debian libboost1.74-dev 1.74.0+ds1-21; header-only circular_buffer)",
  "OpenGL": "Mesa 22.3.6 (libgl1-mesa-dev/libgl1-mesa-dri 22.3.6-1+deb12u2), GLU 9.0.2",
  "Xvfb": "xvfb 2:21.1.7-3+deb12u13",
  "os": "Debian 12.11",
}
COMMON = ("Authors' Enki line follower (examples/line_follower) built unmodified from parameters.h as shipped "
  "(LEARNINGRATE 0.1, 10 hidden layers x 10 + 2 outputs, 144 ground-sensor predictors x 5 resonators = 720 inputs, "
  "ERRORGAIN 50, NETWORKGAIN 5, SPEED 30, start (25, 125) heading 0); {rule}. Run headless under xvfb-run with an "
  "LD_PRELOAD shim (scripts/authors-code/sar/runshim.c) that only (i) sets Enki's 30 ms wall-clock timer to 0 ms "
  "(simulated dt stays 30 ms), (ii) stops the program after N timer steps, {extra}. One control step = one timer tick "
  "(world->step(0.03 s, 3 sub-steps), then the paint hook with the sensors, learning and motor command); the series is "
  "the authors' own logged E per hook call (errorData.tsv), mean |E| per block of 100 calls. Motor noise comes from "
  "Enki's FastRandom, whose seed is fixed at 0 in every run (no API used); srand seeds only the initial weights "
  "(U[0,1], CLDL Neuron.cpp:59). Success = the authors' criterion (run.cpp:326-335): from step 201 on, the running "
  "sum of |E| over the last 200 steps < 0.1 for 200 consecutive steps; 'success' is the step the program prints "
  "(countSteps - 200, the first step of the streak).")
sets = [
  ("gdm", "shipped", "sim-gdm", "GDM: significanceLearning off, CLDL error method Value (backprop of E, constant eta 0.1)",
   "srand(5) as shipped (run.cpp:353), the authors' stop rule kept (the program quits at success), cap 10,000 steps; (iii) nothing else"),
  ("sar", "shipped", "sim-sar-delta-sign", "SaR: -DsignificanceLearning on the qmake command line (the #define is commented out at parameters.h:10); CLDL error method Sign (exact deltas travel back, each synapse uses sign(delta)); learning rate set every step to 0.1 * gradientCue * exp(E * 0) (run.cpp:274; the exp factor is always 1)",
   "srand(5) as shipped (run.cpp:353), the authors' stop rule kept (the program quits at success), cap 10,000 steps; (iii) nothing else"),
  ("gdm", "ours", "sim-gdm", "GDM: significanceLearning off, CLDL error method Value (backprop of E, constant eta 0.1)",
   "(iii) replaces srand(5) by srand(seed), seeds 1..8 (seed 0 was run but dropped: glibc srandom maps 0 to 1, so it repeats seed 1 bit for bit; our module varies seeds; the authors' compile-time parameters already equal our module's eta 0.1, 10x10+2 net, gains, filter bank), (iv) ignores the program's quit at success so that every run has the same fixed budget of 4,000 steps (our module's budget is 50,000; cut to fit the 2-core machine). Our start heading 0.7 rad, start jitter, relevance |E| and on-line success rule cannot be set without editing the authors' source and are NOT applied"),
  ("sar", "ours", "sim-sar-delta-sign", "SaR: -DsignificanceLearning on the qmake command line (the #define is commented out at parameters.h:10); CLDL error method Sign (exact deltas travel back, each synapse uses sign(delta)); learning rate set every step to 0.1 * gradientCue * exp(E * 0) (run.cpp:274; the exp factor is always 1)",
   "(iii) replaces srand(5) by srand(seed), seeds 1..8 (seed 0 was run but dropped: glibc srandom maps 0 to 1, so it repeats seed 1 bit for bit; our module varies seeds; the authors' compile-time parameters already equal our module's eta 0.1, 10x10+2 net, gains, filter bank), (iv) ignores the program's quit at success so that every run has the same fixed budget of 4,000 steps (our module's budget is 50,000; cut to fit the 2-core machine). Our start heading 0.7 rad, start jitter, relevance |E| and on-line success rule cannot be set without editing the authors' source and are NOT applied"),
]
for rule, pset, exp, ruletxt, extra in sets:
    dirs = sorted(d for d in glob.glob(f"{RUNS}/{rule}-{pset}-*") if os.path.exists(d + "/wall_seconds.txt")
                  and not d.endswith(f"{rule}-ours-0"))
    if not dirs: continue
    meta = {"max_steps": 10000 if pset == "shipped" else 4000,
            "date": datetime.date.today().isoformat(), "versions": versions, "experiment": exp,
            "rule": rule, "parameter_set": "shipped parameters.h" if pset == "shipped" else "our module's parameters (sim-*, eta 0.1) mapped onto the authors' switches; seeds 1..8",
            "protocol": COMMON.format(rule=ruletxt, extra=extra)}
    mp = f"/tmp/meta-{rule}-{pset}.json"; json.dump(meta, open(mp, "w"))
    subprocess.run([sys.executable, os.path.join(HERE, "collect.py"), os.path.join(DATA, f"{rule}-{pset}-params.json"), mp] + dirs, check=True)

# The last commit of the simulator with SaR switched ON in parameters.h (2f6c0cc, 2021-05-08,
# "significant learning": LEARNINGRATE 1e-5, start at the arena centre), built unmodified
# against the CLDL commit made 27 s before it (62e897f0, "A"); libenki.a is the same (enki/ unchanged).
for name, dirs, seeds_txt in [("sar-2f6c0cc-shipped-params.json", [f"{RUNS}/may-shipped-shipped"], "srand(5) as shipped"),
                              ("sar-2f6c0cc-seeds-params.json", sorted(glob.glob(f"{RUNS}/mayseed-*")), "srand(seed) for seeds 1..3 through the run shim (initial weights only)")]:
  dirs = [d for d in dirs if os.path.exists(d + "/wall_seconds.txt")]
  if dirs:
      v = dict(versions)
      v["enkiSimulator"] = "2f6c0cc694c47dcc6c258382bd1b226ab3124ee6 (2021-05-08 'significant learning')"
      v["CLDL"] = "62e897f0b3495a30340d4a9b62f1809bb7dc052f (2021-05-08 'A', 27 s before the simulator's commit)"
      meta = {"max_steps": 3000, "date": datetime.date.today().isoformat(), "versions": v,
              "commit": "2f6c0cc694c47dcc6c258382bd1b226ab3124ee6", "experiment": "sim-sar-delta-sign", "rule": "sar",
              "parameter_set": "shipped parameters.h of 2f6c0cc (significanceLearning ON, LEARNINGRATE 1e-5, start (125, 125) heading 0)",
              "protocol": ("The authors' line follower at enkiSimulator 2f6c0cc, the last commit whose parameters.h switches SaR on "
                "(significanceLearning defined, LEARNINGRATE 0.00001; start at the arena centre (125, 125), heading 0; otherwise the "
                "same network, sensors, filters and gains as 8a3c1d7), built unmodified with the CLDL commit 62e897f0. " + seeds_txt +
                ", the authors' stop rule kept (quit at success), cap 3,000 control steps (time box). Run as the other files: "
                "xvfb-run + runshim (0 ms wall-clock timer, step cap). Success = the authors' criterion (run.cpp of that commit, "
                "lines 310-321: 200-step running sum of |E| < 0.1 for 200 consecutive steps after step 200).")}
      mp = "/tmp/meta-may.json"; json.dump(meta, open(mp, "w"))
      subprocess.run([sys.executable, os.path.join(HERE, "collect.py"), os.path.join(DATA, name), mp] + dirs, check=True)
