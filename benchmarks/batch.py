"""Time a script that writes many notes: one `svctrack batch` against a shell loop of single
commands, on a generated workspace.

    python benchmarks/batch.py [--engagements 10000] [--notes 1000] [--runs 3] [--work DIR]

The workspace comes from benchmarks/generate.py (same seed and today as run.py); the read cache
is warmed first. The notes go round the open engagements, `--channel call`, each with its own
text. The batch is one process reading `--notes` lines (run --runs times); the loop is
`while read ...; do svctrack note ...; done` in bash, one process per note (run once: it is the
slow one). Both write every note (counted in the files after each case). Not part of
the test suite; at 10,000 engagements the loop takes a few minutes.
"""

from __future__ import annotations

import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
import tomllib

from run import scratch_arguments, scratch_workspace


def main(argv: list[str] | None = None) -> int:
    parser = scratch_arguments(__doc__.splitlines()[0], "batch", runs=3)
    parser.add_argument("--notes", type=int, default=1000)
    args = parser.parse_args(argv)

    work, ws, env, sv = scratch_workspace(args)
    env["XDG_DATA_HOME"] = str(work / "home" / "data")  # the undo journal
    timed([*sv, "status", "--json"], env)  # the cache warmed
    ids = [r.id for r in ws.open_engagements()]
    targets = [(ids[n % len(ids)], n) for n in range(args.notes)]
    print(f"{args.engagements:,} engagements ({len(ids):,} open); {args.notes:,} notes each case")

    def notes() -> int:
        """The notes of the engagements written to, counted in their files."""
        folder = ws.root / "engagements"
        return sum(
            len(tomllib.loads((folder / f"{i}.toml").read_text("utf-8")).get("notes", []))
            for i in set(ids[: args.notes])
        )

    before = notes()
    lines = work / "notes.txt"
    batch_times = []
    for run in range(args.runs):
        text = (
            f"note {i} {shlex.quote(f'batch {run} note {n}')} --channel call\n" for i, n in targets
        )
        lines.write_text("".join(text), "utf-8")
        batch_times.append(timed([*sv, "batch", str(lines)], env))
    after_batch = notes()
    assert after_batch - before == args.runs * args.notes, (before, after_batch)

    pairs = work / "pairs.txt"
    pairs.write_text("".join(f"{i} {n}\n" for i, n in targets), "utf-8")
    note = f'{shlex.join(sv)} note "$id" "loop note $n" --channel call >/dev/null || exit 1'
    loop_time = timed(["bash", "-c", f"while read -r id n; do {note}; done < {pairs}"], env)
    assert notes() - after_batch == args.notes

    batch = statistics.median(batch_times)
    batch_cpu, loop_cpu = statistics.median(CPU[1:-1]), CPU[-1]  # CPU[0]: the warm-up
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    each = ", ".join(f"{t:.1f}" for t in batch_times)
    print(f"  batch: median {batch:.2f} s ({each}); {batch / args.notes * 1000:.1f} ms a note")
    print(f"  loop:  {loop_time:.2f} s; {loop_time / args.notes * 1000:.1f} ms a note")
    print(
        f"  CPU time: batch {batch_cpu:.2f} s, loop {loop_cpu:.2f} s (1/{loop_cpu / batch_cpu:.0f})"
    )
    print(f"  the batch takes 1/{loop_time / batch:.0f} of the loop's time (load {load:.2f})")
    return 0


CPU: list[float] = []  # the CPU seconds (user + system) of each timed run, its children's too


def timed(argv: list[str], env: dict[str, str]) -> float:
    """Seconds one process took; its stderr and exit 1 when it failed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if done.returncode:
        sys.stderr.write(done.stderr.decode("utf-8", "replace")[-2000:])
        raise SystemExit(1)
    return seconds


if __name__ == "__main__":
    sys.exit(main())
