"""Shared by the combine scripts (ours, ThreeFactor): read the per-seed partial files of one
experiment and write the run file that ThreeFactor's `AuthorsCodeRun` reads
(data/authors-code/<paper>/<experiment>.json)."""
import json
import os
import statistics
import sys


def complete_partials(pdir, is_complete, same_keys):
    """The partials of `pdir` for which `is_complete(p)` holds, in seed order; exits when
    they disagree in any of `same_keys` (one run file = one protocol)."""
    parts = []
    for name in os.listdir(pdir):
        if name.startswith("seed-") and name.endswith(".json"):
            with open(os.path.join(pdir, name)) as f:
                p = json.load(f)
            if not is_complete(p):
                print(f"{os.path.basename(pdir)}: skip {name} (pilot or incomplete)")
                continue
            parts.append(p)
    parts.sort(key=lambda p: p["seed"])
    for key in same_keys:
        values = {json.dumps(p[key], sort_keys=True) for p in parts}
        if len(values) > 1:
            sys.exit(f"{pdir}: seeds differ in {key}: {values}")
    return parts


def write_json_atomically(path, value, indent=None):
    """Writes `value` as JSON to `path` through a temporary file, so a killed run leaves no
    half-written file."""
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump(value, f, indent=indent)
        if indent is not None:
            f.write("\n")
    os.replace(path + ".tmp", path)


def combine_all(base, combine):
    """The combine scripts' command line: the experiments named, or every one with partials."""
    for exp in sys.argv[1:] or sorted(os.listdir(os.path.join(base, "partial"))):
        combine(exp)


def write_run(out, run, parts, root):
    """Writes `run` (provenance, repository, commit, date, versions, protocol, experiment,
    seeds, curves) to `out` atomically and prints its per-seed summary."""
    write_json_atomically(out, run, indent=1)
    means = [statistics.fmean(c) for c in run["curves"]]
    print(f"{run['experiment']}: seeds {run['seeds']}")
    print("  per-seed mean return: " + " ".join(f"{m:.2f}" for m in means))
    print(f"  mean {statistics.fmean(means):.2f}, population std {statistics.pstdev(means):.2f}")
    print("  wall s per seed: " + " ".join(f"{p['wall_seconds']:.0f}" for p in parts)
          + "; cpu s per seed: " + " ".join(f"{p['cpu_seconds']:.0f}" for p in parts))
    print(f"  -> {os.path.relpath(out, root)}")
