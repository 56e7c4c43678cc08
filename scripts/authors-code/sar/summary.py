#!/usr/bin/env python3
"""summary.py -- markdown table of data/authors-code/sar/*.json (pasted into README.md)."""
import json, glob, os, statistics as st
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../data/authors-code/sar")
print("| file | rule | parameter set | runs (seeds) | steps per run | authors' success | median step of success | median final-block mean abs(E) [min, max] | median mean abs(E) over the last 10 blocks | median wall per run | median final weight distance layer 0 / layers 1-9 / layer 10 |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
LABEL = {"gdm-shipped-params.json": "shipped (8a3c1d7)", "sar-shipped-params.json": "shipped (8a3c1d7)",
         "gdm-ours-params.json": "ours (8a3c1d7, seeds)", "sar-ours-params.json": "ours (8a3c1d7, seeds)",
         "sar-2f6c0cc-shipped-params.json": "shipped (2f6c0cc, eta 1e-5)", "sar-2f6c0cc-seeds-params.json": "2f6c0cc, eta 1e-5, seeds"}
for f in ["gdm-shipped-params.json", "sar-shipped-params.json", "gdm-ours-params.json", "sar-ours-params.json", "sar-2f6c0cc-shipped-params.json", "sar-2f6c0cc-seeds-params.json"]:
    p = os.path.join(D, f)
    if not os.path.exists(p): continue
    d = json.load(open(p))
    ok = [s for s in d["success"] if s is not None]
    fin = [c[-1] for c in d["curves"]]
    last10 = [sum(c[-10:]) / len(c[-10:]) for c in d["curves"]]
    wd = [w for w in d["final_weight_distance"] if w]
    l0 = st.median(w[0] for w in wd); mid = st.median(st.median(w[1:10]) for w in wd); l10 = st.median(w[10] for w in wd)
    print(f"| `{f}` | {d['rule']} | {LABEL[f]} | {len(d['curves'])} ({', '.join(map(str, d['seeds']))}) | "
          f"{', '.join(map(str, sorted(set(d['steps_run']))))} | {len(ok)}/{len(d['curves'])} | {st.median(ok) if ok else '–'} | "
          f"{st.median(fin):.3g} [{min(fin):.3g}, {max(fin):.3g}] | {st.median(last10):.3g} | {st.median(d['wall_seconds']):.0f} s | {l0:.4g} / {mid:.3g} / {l10:.3g} |")
