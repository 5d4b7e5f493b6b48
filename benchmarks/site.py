"""Time `svctrack export site` on a generated workspace, as whole processes.

    python benchmarks/site.py [--engagements 10000] [--runs 3] [--work DIR]

The workspace comes from benchmarks/generate.py (same seed and today as run.py); the read cache
is warmed first, as a user's would be. Two cases, each run --runs times, each run a fresh
process: a **new** folder (every page written) and a folder **up to date** (every page made
again and compared, nothing written). Peak memory is taken from one more run of each under
/usr/bin/time, as run.py takes it. The goal of issue 15: a new site of 10,000 engagements in
under 10 s. Not part of the test suite; it takes a minute or two.
"""

from __future__ import annotations

import os
import statistics
import sys

from run import peak_kb, run_once, scratch_arguments, scratch_workspace

GOAL_S = 10.0


def main(argv: list[str] | None = None) -> int:
    args = scratch_arguments(__doc__.splitlines()[0], "site", runs=3).parse_args(argv)
    work, _, env, sv = scratch_workspace(args)
    out, err = work / "stdout", work / "stderr"
    seconds, code = run_once([*sv, "status", "--json"], env, out, err)  # warm the cache
    if code:
        print(err.read_text("utf-8", "replace"), file=sys.stderr)
        return 1
    print(f"{args.engagements:,} engagements; cache warmed in {seconds:.1f} s")

    sites = work / "sites"
    results: dict[str, tuple[list[float], int]] = {}
    for case in ("new folder", "up to date"):
        times = []
        for n in range(args.runs + 1):  # the last one for peak memory
            target = sites / (f"new-{n}" if case == "new folder" else "same")
            if case == "up to date" and not target.exists():
                run_once([*sv, "export", "site", "-o", str(target)], env, out, err)
            argv = [*sv, "export", "site", "-o", str(target)]
            if n < args.runs:
                seconds, code = run_once(argv, env, out, err)
                times.append(seconds)
            else:
                code, kb = peak_kb(argv, env, out, err)
            if code:
                print(err.read_text("utf-8", "replace"), file=sys.stderr)
                return 1
        results[case] = (times, kb)
        print(f"  {case}: median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}), peak {kb / 1024:.0f} MB")  # fmt: skip
    sample = sites / "new-0"
    index = (sample / "index.html").stat().st_size
    pages = list((sample / "items").iterdir())
    size = sum(p.stat().st_size for p in pages)
    print(f"  index.html {index / 1024:,.0f} KiB; {len(pages):,} item pages, "
          f"{size / len(pages) / 1024:.1f} KiB each on average")  # fmt: skip
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    fresh = statistics.median(results["new folder"][0])
    verdict = "PASS" if fresh <= GOAL_S else "MISS"
    print(f"goal: a new site ≤ {GOAL_S:.0f} s: {fresh:.2f} s {verdict} (load average {load:.2f})")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
