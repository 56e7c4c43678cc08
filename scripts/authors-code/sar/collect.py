#!/usr/bin/env python3
"""collect.py <out.json> <name> <experiment> <rundir>...  -- reads the authors' own logs
(errorData.tsv: E per control step, tab-separated; errorInteg.tsv: their 200-step running
sum of |E|; stdout: "Learning was achieved at step: N") and writes our JSON."""
import json, sys, re, os, statistics
out, meta_path, rundirs = sys.argv[1], sys.argv[2], sys.argv[3:]
meta = json.load(open(meta_path))
MAX = meta["max_steps"]; BLOCK = 100
curves, success, seeds, walls, nsteps, sim_success, wdist = [], [], [], [], [], [], []
for d in rundirs:
    E = [float(x) for x in open(os.path.join(d, "errorData.tsv")).read().split("\t") if x.strip()]
    E = E[:MAX]
    nsteps.append(len(E))
    curves.append([sum(abs(e) for e in E[i:i+BLOCK]) / len(E[i:i+BLOCK]) for i in range(0, len(E), BLOCK)])
    txt = open(os.path.join(d, "stdout.txt")).read()
    m = re.search(r"Learning was achieved at step: (\d+)", txt)
    success.append(int(m.group(1)) if m else None)
    # the same criterion recomputed from the logged E (run.cpp:209-339), as a cross-check
    s, hit, win = 0, None, []
    for k, e in enumerate(E):
        win.append(abs(e)); win = win[-200:]
        cnt = k + 1
        if cnt > 200:
            if sum(win) < 0.1:
                s += 1
                if s == 200 and hit is None: hit = cnt - s
            else:
                s = 0
    sim_success.append(hit)
    rows = [l.split() for l in open(os.path.join(d, "weight_distances.tsv")) if len(l.split()) == 12]
    rows = rows[:MAX]
    wdist.append([float(x) for x in rows[-1]] if rows else None)
    seed = open(os.path.join(d, "seed.txt")).read().strip()
    seeds.append(seed if seed == "shipped" else int(seed))
    walls.append(float(open(os.path.join(d, "wall_seconds.txt")).read()))
doc = {
  "provenance": "authors' code, re-run",
  "repository": "https://github.com/Sama-Darya/enkiSimulator (examples/line_follower) + https://github.com/Sama-Darya/CLDL",
  "commit": meta.get("commit", "8a3c1d738b40e4606ba436d37e1b636e5313440e"),
  "date": meta["date"],
  "versions": meta["versions"],
  "protocol": meta["protocol"],
  "experiment": meta["experiment"],
  "rule": meta["rule"],
  "parameter_set": meta["parameter_set"],
  "series": "abs_error_mean",
  "block_steps": BLOCK,
  "seeds": seeds,
  "curves": curves,
  "success": success,
  "success_recomputed_from_log": sim_success,
  "steps_run": nsteps,
  "wall_seconds": walls,
  "final_weight_distance": wdist,
  "final_weight_distance_note": "the authors' weight_distances.tsv at the last logged step: per layer 0..10 the Euclidean distance of the weights from their initial values, then the whole net",
}
json.dump(doc, open(out, "w"), indent=1)
fin = [c[-1] for c in curves]
ok = [s for s in success if s is not None]
print(f"{out}: runs={len(curves)} success={len(ok)}/{len(curves)} median_step={statistics.median(ok) if ok else None} "
      f"median_final_block_absE={statistics.median(fin):.4g} wall={statistics.median(walls):.0f}s steps={nsteps} recomputed={sim_success}")
