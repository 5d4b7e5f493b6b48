"""A soak of a team on one workspace: clones of one bare remote, each with writers running
random `--commit` writes to the same engagements at once and syncing at random moments; at the
end, every acknowledged write must be in every clone, once.

    python benchmarks/soak_sync.py [--clones 3] [--writes 200] [--writers 2] [--seed 1]

Not part of the test suite (it runs for minutes). It runs this checkout's svctrack
(`python -m svctrack` with src/ first on PYTHONPATH) as whole processes, in its own user dirs,
with SVCTRACK_TODAY=2026-11-26. The writes: notes, client feedback, time logs and gate ticks on
four shared engagements; a stage deadline on the clone's own engagement (no one else sets it, so
it never clashes); now and then a new engagement for a client of the clone's own. Anything that
can clash (two people setting one key) is left out: the soak is about writes that must merge.
Figures go to stdout and to --out (Markdown).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TODAY = "2026-11-26"
SHARED = ("acme", "kaskad", "romashka", "vostok")
GATES = ("terms-agreed", "resources-assigned", "interaction-agreed")


@dataclass
class Clone:
    name: str
    root: Path
    env: dict[str, str]
    acknowledged: list[tuple[str, str]] = field(default_factory=list)  # (what, token)
    deadlines: dict[str, str] = field(default_factory=dict)  # engagement -> last date set
    created: list[str] = field(default_factory=list)
    ticks: set[tuple[str, str]] = field(default_factory=set)
    commits: list[str] = field(default_factory=list)  # the subjects of the commits made
    refused: Counter[str] = field(default_factory=Counter)
    write_seconds: list[float] = field(default_factory=list)
    sync_seconds: list[float] = field(default_factory=list)
    syncs: int = 0
    sync_retries: int = 0
    conflicts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = run(["git", *args], cwd, env or os.environ.copy())
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def svctrack(clone: Clone, *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "svctrack", *args], clone.root, clone.env)


def environment(work: Path, name: str) -> dict[str, str]:
    home = work / "home" / name
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SVCTRACK_", "GIT_"))}
    env |= {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "PYTHONPATH": str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", ""),
        "SVCTRACK_TODAY": TODAY,
        "SVCTRACK_USER": name,
        "SVCTRACK_LOCK_TIMEOUT": "120",
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": f"{name}@example.com",
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": f"{name}@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    return env


def set_up(work: Path, names: list[str]) -> list[Clone]:
    """A remote with a workspace made by `init` in a git repository, and one clone each."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    remote = work / "remote.git"
    git(work, "init", "-q", "--bare", "-b", "main", str(remote))
    first = Clone("founder", work / "founder", environment(work, "founder"))
    git(work, "init", "-q", "-b", "main", str(first.root))
    for args in (
        ("init", ".", "--name", "Soak"),
        ("service", "new", "audit", "--name", "IT audit", "--owner", "founder"),
        *(
            (
                "engagement",
                "new",
                eid,
                "--service",
                "audit",
                "--client",
                eid.title(),
                "--due",
                "+8w",
            )
            for eid in SHARED
        ),
        *(
            ("engagement", "new", f"own-{n}", "--service", "audit", "--client", n, "--due", "+8w")
            for n in names
        ),
    ):
        done = svctrack(first, *args)
        if done.returncode:
            raise SystemExit(f"svctrack {' '.join(args)}: {done.stderr}")
    git(first.root, "add", "-A", env=first.env)
    git(first.root, "commit", "-q", "-m", "the team's workspace", env=first.env)
    git(first.root, "remote", "add", "origin", str(remote))
    git(first.root, "push", "-q", "-u", "origin", "main", env=first.env)
    clones = []
    for name in names:
        clone = Clone(name, work / name, environment(work, name))
        git(work, "clone", "-q", str(remote), str(clone.root), env=clone.env)
        clones.append(clone)
    return clones


def one_write(clone: Clone, rng: random.Random, n: int) -> None:
    token = f"{clone.name}-{n}"
    roll = rng.random()
    eid = rng.choice(SHARED)
    if roll < 0.35:
        what, args = "note", ("note", eid, token, "--channel", rng.choice(["email", "call"]))
    elif roll < 0.5:
        score = str(rng.randint(1, 5))
        what, args = "feedback", ("feedback", eid, "--score", score, "--comment", token)
    elif roll < 0.7:
        what, args = "time", ("log", eid, f"{rng.randint(1, 8)}h", "--note", token)
    elif roll < 0.85:
        gate = rng.choice(GATES)
        what, args = "tick", ("check", eid, gate)
        token = f"{eid}:{gate}"
    elif roll < 0.95:
        day = (date(2026, 12, 1) + timedelta(days=rng.randint(0, 40))).isoformat()
        own = f"own-{clone.name}"
        what, args, token = "deadline", ("set", own, "deadline.execution", day), day
    else:
        client = f"{clone.name} client {n}"
        what, args = (
            "new",
            ("engagement", "new", "--service", "audit", "--client", client, "--due", "+6w"),
        )
    started = time.monotonic()
    done = svctrack(clone, "--commit", *args)
    elapsed = time.monotonic() - started
    with clone.lock:
        clone.write_seconds.append(elapsed)
        if done.returncode != 0:
            clone.refused[done.stderr.strip().splitlines()[-1][:80] if done.stderr else "?"] += 1
            return
        said = [line for line in done.stderr.splitlines() if line.startswith("committed ")]
        clone.commits += [line.split(": ", 1)[1] for line in said]
        if what == "tick":
            clone.ticks.add(tuple(token.split(":")))  # type: ignore[arg-type]
        elif what == "deadline":
            clone.deadlines[f"own-{clone.name}"] = token
        elif what == "new":
            clone.created.append(done.stdout.split()[2])
        else:
            clone.acknowledged.append((what, token))


def sync(clone: Clone) -> None:
    """`svctrack sync`, again while someone pushed meanwhile; a stop is a conflict: aborted."""
    for attempt in range(20):
        started = time.monotonic()
        done = svctrack(clone, "sync")
        with clone.lock:
            clone.sync_seconds.append(time.monotonic() - started)
            clone.syncs += 1
        if done.returncode == 0:
            return
        if "sync stopped" in done.stderr:
            with clone.lock:
                clone.conflicts.append(done.stderr)
            svctrack(clone, "sync", "--abort")
            return
        with clone.lock:
            clone.sync_retries += 1
        time.sleep(0.05 * (attempt + 1))
    raise SystemExit(f"{clone.name}: sync kept failing: {done.stderr}")


def writer(clone: Clone, seed: int, writes: int, sync_chance: float) -> None:
    rng = random.Random(seed)
    for n in range(writes):
        one_write(clone, rng, seed * 100_000 + n)
        if rng.random() < sync_chance:
            sync(clone)


def gather(clone: Clone) -> dict[str, object]:
    """What a clone's files hold: tokens of notes, feedback and time; ticks; deadlines; ids."""
    tokens: Counter[tuple[str, str]] = Counter()
    ticks, deadlines = set(), {}
    for path in sorted((clone.root / "engagements").glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        tokens.update(("note", n["text"]) for n in data.get("notes", []))
        tokens.update(("feedback", f.get("comment", "")) for f in data.get("feedback", []))
        tokens.update(("time", t.get("note", "")) for t in data.get("time", []))
        for gate, mark in data.get("gates", {}).get("preparation", {}).items():
            if mark is True:
                ticks.add((path.stem, gate))
        if "execution" in data.get("deadlines", {}):
            deadlines[path.stem] = data["deadlines"]["execution"].isoformat()
    ids = {p.stem for p in (clone.root / "engagements").glob("*.toml")}
    return {"tokens": tokens, "ticks": ticks, "deadlines": deadlines, "ids": ids}


def verify(clones: list[Clone]) -> tuple[list[str], Counter[tuple[str, str]], set[str]]:
    """Whether every acknowledged write is in every clone, once: the problems found, the
    entries expected and the engagements created."""
    expected = Counter(a for clone in clones for a in clone.acknowledged)
    ticks = {t for clone in clones for t in clone.ticks}
    deadlines = {k: v for clone in clones for k, v in clone.deadlines.items()}
    created = {c for clone in clones for c in clone.created}
    problems = []
    if len({git(c.root, "rev-parse", "HEAD").strip() for c in clones}) != 1:
        problems.append("the clones do not end at one commit")
    for clone in clones:
        state = gather(clone)
        found: Counter[tuple[str, str]] = state["tokens"]  # type: ignore[assignment]
        missing = expected - found
        twice = [t for t, n in found.items() if n > 1 and t in expected]
        if missing:
            problems.append(f"{clone.name}: {sum(missing.values())} acknowledged entries missing")
        if twice:
            problems.append(f"{clone.name}: {len(twice)} entries twice")
        if not ticks <= state["ticks"]:  # type: ignore[operator]
            problems.append(f"{clone.name}: gate ticks missing")
        held: dict[str, str] = state["deadlines"]  # type: ignore[assignment]
        if any(held.get(k) != v for k, v in deadlines.items()):
            problems.append(f"{clone.name}: a stage deadline is not the last one set")
        if not created <= state["ids"]:  # type: ignore[operator]
            problems.append(f"{clone.name}: created engagements missing")
        if svctrack(clone, "validate", "--strict").returncode:
            problems.append(f"{clone.name}: validate --strict fails")
    made = Counter(subject for clone in clones for subject in clone.commits)
    log = git(clones[0].root, "log", "--format=%s").splitlines()
    gone = made - Counter(log)
    if any(" done" not in subject for subject in gone):  # only a tick made twice may go
        problems.append(f"commits missing on the remote: {sorted(gone)[:5]}")
    return problems, expected, created


def figures(
    clones: list[Clone], options: argparse.Namespace, writing: float, total: float
) -> tuple[str, list[str]]:
    """The report, in Markdown, and the problems found."""
    problems, expected, created = verify(clones)
    remote_commits = int(git(clones[0].root, "rev-list", "--count", "HEAD").strip()) - 1
    writes = [s for clone in clones for s in clone.write_seconds]
    syncs = [s for clone in clones for s in clone.sync_seconds]
    refused: Counter[str] = sum((clone.refused for clone in clones), Counter())
    retried = sum(c.sync_retries for c in clones)
    rows = [
        (
            "clones × writes (writers per clone)",
            f"{options.clones} × {options.writes} ({options.writers})",
        ),
        ("writes acknowledged (exit 0)", str(len(writes) - sum(refused.values()))),
        ("writes refused", f"{sum(refused.values())} {dict(refused) if refused else ''}".strip()),
        ("commits made by the writes", str(sum(len(c.commits) for c in clones))),
        ("commits on the remote after settling (all but the first)", str(remote_commits)),
        (
            "commits dropped as empty on rebase (a tick another clone had made)",
            str(sum(len(c.commits) for c in clones) - remote_commits),
        ),
        ("entries written (notes, feedback, time)", str(sum(expected.values()))),
        ("engagements created", str(len(created))),
        ("syncs (of them, again after a push race)", f"{sum(c.syncs for c in clones)} ({retried})"),
        ("syncs stopped on a conflict", str(sum(len(c.conflicts) for c in clones))),
        ("write, median / max", f"{median(writes):.2f} s / {max(writes):.2f} s"),
        ("sync, median / max", f"{median(syncs):.2f} s / {max(syncs):.2f} s"),
        ("wall time: writing / in all", f"{writing:.0f} s / {total:.0f} s"),
        ("every acknowledged write in every clone, once", "yes" if not problems else "NO"),
    ]
    command = (
        f"python benchmarks/soak_sync.py --clones {options.clones} --writes {options.writes}"
        f" --writers {options.writers} --seed {options.seed}"
    )
    where = f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores"
    lines = [
        "# Soak: a team syncing one workspace",
        "",
        f"`{command}` on {where}, at {git(REPO, 'rev-parse', '--short', 'HEAD').strip()}.",
        "",
        "| | |",
        "|---|---:|",
        *(f"| {k} | {v} |" for k, v in rows),
        "",
        *(f"- problem: {p}" for p in problems),
    ]
    return "\n".join(lines), problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clones", type=int, default=3)
    parser.add_argument("--writes", type=int, default=200, help="writes per clone")
    parser.add_argument("--writers", type=int, default=2, help="concurrent writers per clone")
    parser.add_argument("--sync-chance", type=float, default=0.08)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=HERE / "results" / "soak")
    parser.add_argument("--out", type=Path, default=HERE / "SOAK.md")
    options = parser.parse_args()
    clones = set_up(options.work, [f"c{n + 1}" for n in range(options.clones)])
    started = time.monotonic()
    threads = []
    for k, clone in enumerate(clones):
        share = [options.writes // options.writers] * options.writers
        share[0] += options.writes - sum(share)
        for w, count in enumerate(share):
            seed = options.seed * 1000 + k * 10 + w + 1
            args = (clone, seed, count, options.sync_chance)
            threads.append(threading.Thread(target=writer, args=args))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writing = time.monotonic() - started
    for _ in range(2):  # settle: everyone pulls everyone's last pushes
        for clone in clones:
            sync(clone)
    report, problems = figures(clones, options, writing, time.monotonic() - started)
    print(report)
    options.out.write_text(report + "\n", "utf-8")
    if problems:
        raise SystemExit(1)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


if __name__ == "__main__":
    main()
