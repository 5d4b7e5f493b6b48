"""Time whole svctrack processes on generated workspaces, beside Taskwarrior and a Python floor.

    python benchmarks/run.py [--sizes 1000,10000] [--runs 7] [--out benchmarks/RESULTS.md]

For each size: generate a workspace (benchmarks/generate.py), import the same data into a scratch
Taskwarrior when `task` is installed (configured for its fastest run: see TASKRC), build the read
floor's cache (benchmarks/floor.py), then run every command as a fresh process: one warm-up, then
--runs timed runs; report the median, the min-max range and the peak resident memory. The
commands that are compared with each other (a svctrack command, the Taskwarrior command and the
floor it is held against) run interleaved, round-robin, so that they see the same machine load;
every ratio is of two medians of one such group. A command svctrack does not have (yet) is
reported as n/a. Results go to --out as Markdown, with the goals of the issue checked at the
largest size.

The processes run with their own user dirs (XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME under
the work folder), SVCTRACK_TODAY set to the generator's today, SVCTRACK_USER set (no `git config`
call), NO_COLOR, COLUMNS=120, LINES=40, and PYTHONDONTWRITEBYTECODE removed (a user's
installation has its .pyc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import generate

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "results" / "work"
MISSING = ("no such command", "no such option")


# --- what is run, and what it took ---------------------------------------------------------------


@dataclass
class Bench:
    """One command line, measured as whole processes."""

    label: str  # as the table shows it
    argv: list[str]
    tool: str = "python"  # svctrack | taskwarrior | floor | python
    cache: str = ""  # warm | cold | no cache | changed | "" (does not apply)
    env: dict[str, str] = field(default_factory=dict)
    before: Callable[[], None] | None = None  # before every run, the warm-up included
    is_json: bool = False

    @property
    def parses_all(self) -> bool:
        """Every run parses every file anyway: no warm-up needed, fewer runs will do."""
        return self.cache in ("cold", "no cache")

    @property
    def key(self) -> str:
        return f"{self.label} [{self.cache}]" if self.cache else self.label


@dataclass
class Timing:
    bench: Bench
    status: str = "ok"  # ok | n/a | error: ...
    times: list[float] = field(default_factory=list)
    peaks_kb: list[int] = field(default_factory=list)
    out_bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_mb(self) -> float:
        return max(self.peaks_kb, default=0) / 1024


@dataclass
class Context:
    """One size: the workspace, the environment, where outputs go."""

    size: int
    root: Path
    work: Path
    env: dict[str, str]
    svctrack: list[str]
    target: str  # an open engagement: show, note
    service: str  # an open service: engagement new
    checked: tuple[str, str] = ("", "")  # an open engagement and a gate item of it left to tick
    advanced: str = ""  # an open engagement whose current stage's gate items are all ticked
    floor_target: str = ""  # the open engagement the write floor adds its note to
    task_env: dict[str, str] | None = None
    facts: dict[str, str] = field(default_factory=dict)

    @property
    def cache_dir(self) -> Path:
        return Path(self.env["XDG_CACHE_HOME"]) / "svctrack"


def run_once(argv: list[str], env: dict[str, str], out: Path, err: Path) -> tuple[float, int]:
    """Wall time and exit code of one process."""
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env
        )
        _, status, _ = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    return seconds, code


# Linux carries a process's peak RSS across fork and exec, so a child of this (large) harness
# reports at least the harness's own size. Peak memory is therefore taken in one more run under
# a small parent: GNU time, else a fresh `python -S` (whose ~10 MB is then the floor).
LAUNCHER = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def peak_kb(argv: list[str], env: dict[str, str], out: Path, err: Path) -> tuple[int, int]:
    """Exit code and peak RSS (KB) of one more run of `argv`."""
    where = out.with_name("maxrss")
    if os.access("/usr/bin/time", os.X_OK):
        wrapped = ["/usr/bin/time", "-f", "%M", "-o", str(where), *argv]
    else:
        wrapped = [sys.executable, "-S", "-c", LAUNCHER, str(where), *argv]
    _, code = run_once(wrapped, env, out, err)
    try:
        return code, int(where.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return code, 0


def failure(code: int, err: Path) -> str:
    message = err.read_text("utf-8", "replace").strip()
    if any(m in message.lower() for m in MISSING):
        return "n/a"
    first = message.splitlines()[0] if message else ""
    return f"error: exit {code}: {first[:120]}"


def measure(group: list[Bench], ctx: Context, runs: int, warmup: int) -> list[Timing]:
    """Run the benches of a group in turn, run after run (a svctrack command and the
    Taskwarrior command it is compared with see the same machine load), then once more each
    for peak memory and to check the output."""
    timings = [Timing(b) for b in group]
    out, err = ctx.work / "stdout", ctx.work / "stderr"

    def env(b: Bench) -> dict[str, str]:
        return {**(ctx.task_env if b.tool == "taskwarrior" and ctx.task_env else ctx.env), **b.env}

    for number in range(warmup + runs):
        for t in timings:
            if t.status != "ok":
                continue
            if t.bench.before:
                t.bench.before()
            seconds, code = run_once(t.bench.argv, env(t.bench), out, err)
            if code != 0:
                t.status = failure(code, err)
            elif number >= warmup:
                t.times.append(seconds)
    for t in timings:
        if t.status != "ok":
            continue
        if t.bench.before:
            t.bench.before()
        code, kb = peak_kb(t.bench.argv, env(t.bench), out, err)
        if code != 0:
            t.status = failure(code, err)
            continue
        t.peaks_kb.append(kb)
        t.out_bytes = out.stat().st_size
        if t.bench.is_json:
            try:
                json.loads(out.read_bytes())
            except ValueError as exc:
                t.status = f"error: stdout is not JSON ({exc})"
    return timings


# --- the benches ---------------------------------------------------------------------------------


def benches(ctx: Context, floor_cache: Path) -> list[list[Bench]]:
    """Groups of benches, each measured interleaved: a svctrack command with the Taskwarrior
    command (and the floor) it is compared with. Cache states never share a group."""
    sv = [*ctx.svctrack, "-C", str(ctx.root)]
    changed = ctx.root / "engagements" / f"{ctx.target}.toml"
    py = sys.executable

    def cold() -> None:
        shutil.rmtree(ctx.cache_dir, ignore_errors=True)

    def touch() -> None:
        # A new mtime (and so a new ctime): one file changed since the last run.
        moment = time.time_ns() - 10_000_000_000
        os.utime(changed, ns=(moment, moment))

    def read(label: str, mode: str) -> Bench:
        args = label.split()
        env = {"SVCTRACK_NO_CACHE": "1"} if mode == "no cache" else {}
        before = {"cold": cold, "changed": touch}.get(mode)
        return Bench(label, sv + args, "svctrack", mode, env, before, "--json" in args)

    def task(label: str) -> list[Bench]:
        if ctx.task_env is None:
            return []
        argv = ["task", *label.split()[1:]]
        return [Bench(label, argv, "taskwarrior", is_json="export" in argv)]

    def write(label: str, *args: str) -> Bench:
        return Bench(label, [*sv, *args], "svctrack")

    def restored(item_id: str) -> Callable[[], None]:
        """Put the item file back as it was before the first run: each run makes the same
        change to the same bytes (a note added, a gate item ticked, a stage advanced)."""
        path = ctx.root / "engagements" / f"{item_id}.toml"
        original = path.read_bytes()

        def put_back() -> None:
            path.write_bytes(original)

        return put_back

    def edit(label: str, item_id: str, *args: str) -> Bench:
        return Bench(label, [*sv, *args], "svctrack", before=restored(item_id))

    floor = Bench("floor.py", [py, str(HERE / "floor.py"), str(ctx.root), str(floor_cache)])
    floor.tool, floor.is_json = "floor", True
    floor_file = ctx.root / "engagements" / f"{ctx.floor_target}.toml"
    write_floor = Bench(
        "floor.py --write",
        [py, str(HERE / "floor.py"), "--write", str(ctx.root), str(floor_file)],
        "floor",
        before=restored(ctx.floor_target),
    )
    checked, gate = ctx.checked
    new = ("engagement", "new", "--service", ctx.service, "--client", "Bench", "--due", "+2w")
    return [
        [Bench("python -S -c pass", [py, "-S", "-c", "pass"], "python")],
        [Bench("python -c pass", [py, "-c", "pass"], "python")],
        [Bench("python -c 'import typer'", [py, "-c", "import typer"], "python")],
        [Bench("svctrack --version", [*ctx.svctrack, "--version"], "svctrack")],
        [read("status --json", "warm"), floor, *task("task status:pending export")],
        [read("status --json", "cold")],
        [read("status --json", "no cache")],
        [read("status --json", "changed")],
        [read("status", "warm"), *task("task next")],
        [read("status", "cold")],
        [read("engagement list --all --json", "warm"), *task("task export")],
        [read("engagement list --all --json", "cold")],
        [read("engagement list", "warm"), *task("task list")],
        [read("deadlines --json", "warm")],
        [read("deadlines --json", "cold")],
        [read("report --json", "warm")],
        [read("report --json", "cold")],
        [write(f"show {ctx.target}", "show", ctx.target)],
        [Bench("validate", [*sv, "validate"], "svctrack", "cold", before=cold)],
        [
            edit(f"note {ctx.target} TEXT", ctx.target, "note", ctx.target, "benchmark note"),
            edit(f"check {checked} {gate}", checked, "check", checked, gate),
            edit(f"advance {ctx.advanced}", ctx.advanced, "advance", ctx.advanced),
            write_floor,
            *task("task 1 annotate benchmark-note"),
        ],
        [
            write(f"engagement new --service {ctx.service} ...", *new),
            *task("task add benchmark-task project:bench"),
        ],
    ]


# --- setting a size up ---------------------------------------------------------------------------


def child_env(work: Path, today: str) -> dict[str, str]:
    env = dict(os.environ)
    for var in (
        "SVCTRACK_WORKSPACE",
        "SVCTRACK_NO_CACHE",
        "SVCTRACK_DEBUG",
        "PYTHONDONTWRITEBYTECODE",
    ):
        env.pop(var, None)
    home = work / "home"
    env |= {
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),  # the undo journal
        "SVCTRACK_TODAY": today,
        "SVCTRACK_USER": "bench",
        "NO_COLOR": "1",
        "COLUMNS": "120",
        "LINES": "40",
    }
    return env


# Taskwarrior as a power user who wants it fast runs it: no messages after a command (the default
# `verbose` prints a project summary after every write, which reads every completed task), no
# recurrence pass, no hooks, no nagging, no questions, no colour, no terminal-size probe.
# RESULTS.md repeats these lines. `gc` stays on (the default), as measured on this data: with
# `gc=off` every command reads the completed tasks too (`task 1 annotate` 0.17 s against 0.02 s,
# `task next` 0.16 s against 0.12 s at 10,000 tasks, interleaved).
TASKRC = (
    "verbose=nothing",
    "recurrence=off",
    "hooks=off",
    "nag=",
    "confirmation=off",
    "color=off",
    "detection=off",
)


def setup_taskwarrior(
    ws: generate.Workspace, work: Path, env: dict[str, str]
) -> tuple[dict[str, str], float] | None:
    """A scratch Taskwarrior holding the same items, and the seconds its import took;
    None when `task` is not installed."""
    if shutil.which("task") is None:
        return None
    data = work / "taskdata"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    version = subprocess.run(["task", "--version"], capture_output=True, text=True, check=True)
    rc = work / "taskrc"
    lines = (f"data.location={data}", *TASKRC, f"news.version={version.stdout.strip()}")
    rc.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tasks = work / "tasks.json"
    tasks.write_text(json.dumps(generate.taskwarrior_tasks(ws), ensure_ascii=False), "utf-8")
    task_env = {**env, "TASKRC": str(rc), "TASKDATA": str(data)}
    started = time.perf_counter()
    subprocess.run(["task", "import", str(tasks)], env=task_env, capture_output=True, check=True)
    return task_env, time.perf_counter() - started


def write_targets(ctx: Context, to_check: str, to_advance: str) -> tuple[tuple[str, str], str]:
    """A gate item left to tick on one open engagement (for `check`), and another open
    engagement with every gate item of its stage ticked (so that `advance` needs no --force)."""

    def gates(item_id: str) -> list[dict[str, object]]:
        done = subprocess.run(
            [*ctx.svctrack, "-C", str(ctx.root), "checklist", item_id, "--json"],
            env=ctx.env,
            capture_output=True,
            check=True,
        )
        found: list[dict[str, object]] = json.loads(done.stdout)["gates"]
        return found

    left = [str(g["id"]) for g in gates(to_check) if not g["done"]]
    if not left:  # every item ticked: untick the first, so that there is one to tick
        first = str(gates(to_check)[0]["id"])
        subprocess.run(
            [*ctx.svctrack, "-C", str(ctx.root), "uncheck", to_check, first],
            env=ctx.env,
            capture_output=True,
            check=True,
        )
        left = [first]
    for gate in gates(to_advance):
        if not gate["done"]:
            subprocess.run(
                [*ctx.svctrack, "-C", str(ctx.root), "check", to_advance, str(gate["id"])],
                env=ctx.env,
                capture_output=True,
                check=True,
            )
    return (to_check, left[0]), to_advance


def svctrack_command(explicit: str | None) -> list[str]:
    """The installed entry point next to this Python (not a pyenv or asdf shim), else -m."""
    if explicit:
        return [explicit]
    script = Path(sys.executable).with_name("svctrack")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "svctrack"]


def scratch_arguments(description: str, work: str, runs: int) -> argparse.ArgumentParser:
    """The options every side benchmark (batch.py, site.py) takes: the workspace's size and seed,
    its runs, its work folder, the executable."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--engagements", type=int, default=10_000)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--work", type=Path, default=HERE / "results" / work)
    parser.add_argument("--svctrack", default=None, help="the svctrack executable to time")
    return parser


def scratch_workspace(
    args: argparse.Namespace,
) -> tuple[Path, generate.Workspace, dict[str, str], list[str]]:
    """A fresh work folder with a generated workspace in it: the folder, the workspace, the
    environment its commands run in, and the svctrack command line up to its subcommand."""
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ws = generate.generate(work / "workspace", args.engagements, args.services, args.seed)
    env = child_env(work, ws.today.isoformat())
    return work, ws, env, [*svctrack_command(args.svctrack), "-C", str(ws.root)]


def prepare(size: int, args: argparse.Namespace) -> tuple[Context, generate.Workspace]:
    work = args.work / f"n{size}"
    root = work / "workspace"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ws = generate.generate(root, size, args.services, args.seed)
    env = child_env(work, ws.today.isoformat())
    opened = sorted(r.id for r in ws.open_engagements())
    live = sorted(r.id for r in ws.of("service") if r.stage in ("delivery", "monitoring"))
    ctx = Context(size, root, work, env, svctrack_command(args.svctrack), opened[0], live[0])
    ctx.checked, ctx.advanced = write_targets(ctx, opened[1], opened[2])
    ctx.floor_target = opened[3]
    services = ws.of("service")
    ctx.facts = {
        "files": f"{len(ws.records):,}",
        "engagements": f"{len(ws.of('engagement')):,}",
        "open engagements": f"{len(opened):,}",
        "services": f"{len(services):,} ({sum(r.is_open for r in services)} open)",
        "bytes": f"{ws.bytes / 1e6:.1f} MB",
        "generated in": f"{ws.seconds:.1f} s",
    }
    if not args.no_taskwarrior:
        found = setup_taskwarrior(ws, work, env)
        if found is not None:
            ctx.task_env, seconds = found
            ctx.facts["Taskwarrior import"] = f"{len(ws.records):,} tasks in {seconds:.1f} s"
    return ctx, ws


# --- running -------------------------------------------------------------------------------------


def run_size(size: int, args: argparse.Namespace) -> tuple[Context, list[Timing]]:
    print(f"\n== {size:,} engagements, {args.services} services", flush=True)
    ctx, _ = prepare(size, args)
    print("   " + ", ".join(f"{k}: {v}" for k, v in ctx.facts.items()), flush=True)
    floor_cache = ctx.work / "floor.pickle"
    subprocess.run(
        [sys.executable, str(HERE / "floor.py"), "--build", str(ctx.root), str(floor_cache)],
        env=ctx.env,
        check=True,
    )
    time.sleep(max(0.0, 2.5 - (time.time() - ws_ctime(ctx.root))))  # svctrack trusts 2 s old files
    timings = []
    load = os.getloadavg()[0]
    for group in benches(ctx, floor_cache):
        if args.only and not any(w in b.key for b in group for w in args.only.split(",")):
            continue  # a group runs whole: a command with what it is compared with
        if all(b.parses_all for b in group):
            runs, warmup = min(args.runs, args.cold_runs), 0
        else:
            runs, warmup = args.runs, args.warmup
        for timing in measure(group, ctx, runs, warmup):
            timings.append(timing)
            print("   " + line(timing), flush=True)
    ctx.facts["load average (1 min) before/after"] = f"{load:.1f} / {os.getloadavg()[0]:.1f}"
    return ctx, timings


def ws_ctime(root: Path) -> float:
    return max(p.stat().st_ctime for p in (root / "engagements").iterdir())


def line(t: Timing) -> str:
    b = t.bench
    if not t.ok:
        return f"{b.label:<48} {b.cache:<9} {t.status}"
    lo, hi = min(t.times) * 1000, max(t.times) * 1000
    return (
        f"{b.label:<48} {b.cache:<9} {t.median * 1000:7.0f} ms  ({lo:.0f}–{hi:.0f})"
        f"  {t.peak_mb:5.1f} MB"
    )


# --- goals and ratios ----------------------------------------------------------------------------

PAIRS = [
    ("status --json [warm]", "floor.py"),
    ("status --json [warm]", "task status:pending export"),
    ("status [warm]", "task next"),
    ("engagement list --all --json [warm]", "task export"),
    ("engagement list [warm]", "task list"),
    ("note", "floor.py --write"),
    ("check", "floor.py --write"),
    ("advance", "floor.py --write"),
    ("note", "task 1 annotate benchmark-note"),
    ("engagement new", "task add benchmark-task project:bench"),
]

# The goals of issue 16, each at the size it is stated for: (goal, svctrack row, the row it is
# held against or None for a limit in seconds, the most the ratio of their medians may be or the
# limit); both rows of a ratio are measured in one group, interleaved. Memory: the most any
# svctrack row may take at that size.
Goal = tuple[str, str, str | None, float]
GOALS: dict[int, list[Goal]] = {
    10_000: [
        ("`status --json` ≤ 1.15 × the read floor", "status --json [warm]", "floor.py", 1.15),
        (
            "`status --json` ≤ 2.5 × `task status:pending export`",
            "status --json [warm]",
            "task status:pending export",
            2.5,
        ),
        (
            "`engagement list --all --json` ≤ 1.0 × `task export`",
            "engagement list --all --json [warm]",
            "task export",
            1.0,
        ),
        ("`status` ≤ 3.0 × `task next`", "status [warm]", "task next", 3.0),
        ("`note ID TEXT` ≤ 1.2 × the write floor", "note", "floor.py --write", 1.2),
        ("`check ID ITEM` ≤ 1.2 × the write floor", "check", "floor.py --write", 1.2),
        ("`advance ID` ≤ 1.2 × the write floor", "advance", "floor.py --write", 1.2),
        ("`validate` (every file parsed, cold) ≤ 2 s", "validate [cold]", None, 2.0),
    ],
    100_000: [
        ("`status --json` (warm) ≤ 0.6 s", "status --json [warm]", None, 0.6),
        ("`note ID TEXT` ≤ 1.2 × the write floor", "note", "floor.py --write", 1.2),
        ("`validate` (every file parsed, cold) ≤ 20 s", "validate [cold]", None, 20.0),
        ("`report --json` (warm) ≤ 3 s", "report --json [warm]", None, 3.0),
    ],
}
MEMORY_LIMIT_MB = {10_000: 60, 100_000: 150}


def find(timings: list[Timing], key: str) -> Timing | None:
    for t in timings:
        if t.bench.key == key or t.bench.key.startswith(key + " "):
            return t
    return None


def ms(t: Timing) -> str:
    return f"{t.median * 1000:,.0f} ms"


def goals(size: int, timings: list[Timing]) -> list[tuple[str, str, str]]:
    """(goal, measured, PASS/MISS/n/a) for each goal of the issue at `size`."""
    out = []
    for text, mine, theirs, limit in GOALS.get(size, []):
        a = find(timings, mine)
        b = find(timings, theirs) if theirs else a
        if a is None or b is None or not a.ok or not b.ok:
            missing = a if a is None or not a.ok else b
            why = "not measured" if missing is None else missing.status
            out.append((text, why, "n/a"))
        elif theirs is None:
            verdict = "PASS" if a.median <= limit else "MISS"
            out.append((text, f"{a.median:.2f} s", verdict))
        else:
            ratio = a.median / b.median
            verdict = "PASS" if ratio <= limit else "MISS"
            out.append((text, f"{ratio:.2f} × ({ms(a)} / {ms(b)})", verdict))
    mine = [t for t in timings if t.bench.tool == "svctrack" and t.ok]
    limit_mb = MEMORY_LIMIT_MB.get(size)
    # At 100,000 what parses every file (a cold cache, no cache, validate) is told apart.
    groups = [("of any svctrack command", mine)]
    if size >= 100_000:
        groups = [
            ("of any svctrack command, cache warm", [t for t in mine if not t.bench.parses_all]),
            ("parsing every file (cache cold or off)", [t for t in mine if t.bench.parses_all]),
        ]
    for which, rows in groups:
        if rows and limit_mb:
            worst = max(rows, key=lambda t: t.peak_mb)
            verdict = "PASS" if worst.peak_mb <= limit_mb else "MISS"
            measured = f"{worst.peak_mb:.0f} MB (`{worst.bench.key}`)"
            out.append((f"peak memory {which} ≤ {limit_mb} MB", measured, verdict))
    return out


def ratios(timings: list[Timing]) -> list[tuple[str, str, str, str, str]]:
    out = []
    for mine, theirs in PAIRS:
        a, b = find(timings, mine), find(timings, theirs)
        if a is None or b is None:
            continue
        if a.ok and b.ok:
            out.append((a.bench.key, ms(a), b.bench.label, ms(b), f"{a.median / b.median:.2f}"))
        else:
            out.append(
                (
                    a.bench.key,
                    ms(a) if a.ok else a.status,
                    b.bench.label,
                    ms(b) if b.ok else b.status,
                    "n/a",
                )
            )
    return out


# --- the report ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {
        "CPU": f"{cpu}, {cores} cores{memory}",
        "OS": platform.platform(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "svctrack": git_state(),
    }
    if shutil.which("task"):
        version = subprocess.run(["task", "--version"], capture_output=True, text=True, check=False)
        info["Taskwarrior"] = version.stdout.strip()
    else:
        info["Taskwarrior"] = "not installed (its rows are skipped)"
    return info


def git_state() -> str:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("svctrack")
    except PackageNotFoundError:
        release = "?"
    commit = git("rev-parse", "--short", "HEAD") or "no git"
    dirty = " + uncommitted changes in src/" if git("status", "--porcelain", "--", "src") else ""
    return f"{release}, commit {commit}{dirty}"


def table(rows: list[tuple], header: tuple[str, ...], align: str) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(a for a in align.split()) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def timing_rows(timings: list[Timing]) -> list[tuple]:
    rows = []
    for t in timings:
        b = t.bench
        label = f"`{b.label}`" if b.tool != "python" else b.label
        if t.ok:
            lo, hi = min(t.times) * 1000, max(t.times) * 1000
            out = f"{t.out_bytes / 1024:,.0f} KB" if t.out_bytes >= 1024 else f"{t.out_bytes} B"
            rows.append(
                (
                    b.tool,
                    label,
                    b.cache or "—",
                    ms(t),
                    f"{lo:,.0f}–{hi:,.0f}",
                    f"{t.peak_mb:.0f} MB",
                    out,
                )
            )
        else:
            rows.append((b.tool, label, b.cache or "—", t.status, "", "", ""))
    return rows


LEGEND = """\
Memory is the peak resident set size of the process (ru_maxrss) in one more run under a small
parent (`/usr/bin/time -f %M`; Linux carries a peak across fork and exec, so a child of the
harness itself would report the harness's size); stdout is what that run wrote.
Cache: **warm** = svctrack's read cache matches every file; **cold** = the cache folder
($XDG_CACHE_HOME/svctrack) deleted before each run, so every file is parsed and the cache written
again; **no cache** = `SVCTRACK_NO_CACHE=1` (every file parsed, nothing written); **changed** =
warm, but one engagement file got a new mtime before each run (the cache re-parses it and is
saved again, as after any edit). `validate` never uses the cache; `show`, `note` and
`engagement new` read or write single files. n/a = the command does not exist in this build."""


def report(results: list[tuple[Context, list[Timing]]], args: argparse.Namespace) -> str:
    info = machine()
    lines = [
        "# svctrack benchmark results",
        "",
        f"Measured on {datetime.now():%Y-%m-%d} with `python benchmarks/run.py --sizes "
        f"{','.join(str(c.size) for c, _ in results)} --runs {args.runs}` "
        "(see [README.md](README.md) for what each number means).",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        f"Each row is a whole process, started {args.warmup + args.runs} times: "
        f"{args.warmup} warm-up, then the median and the min–max of {args.runs} timed runs; "
        f"rows that parse every file on every run (cold, no cache, `validate`) run "
        f"{min(args.runs, args.cold_runs)} times with no warm-up. " + LEGEND,
    ]
    if shutil.which("task") and not args.no_taskwarrior:
        lines += [
            "",
            "Taskwarrior is configured for its fastest run (its own `TASKRC`, beside"
            " `data.location` and `news.version`): "
            + ", ".join(f"`{line}`" for line in TASKRC)
            + " (`gc` left on: faster on this data, see README.md)."
            " The floors: **`floor.py`** (the read floor) starts Python, imports typer, stats"
            " every item file against a pickled summary, loads it and prints the open items as"
            " JSON; **`floor.py --write`** (the write floor) starts Python, imports typer and"
            " tomlkit, takes the workspace lock, reads one item file and writes it back with a"
            " note added, atomically (temp file, fsync, rename, folder fsync). `note`, `check`"
            " and `advance` each find their file as it was before the first run (put back"
            " between runs, untimed), as does the write floor.",
        ]
    for ctx, timings in results:
        lines += ["", f"## {ctx.size:,} engagements", ""]
        lines += [", ".join(f"{k}: {v}" for k, v in ctx.facts.items()) + "."]
        lines += [""]
        header = ("tool", "command", "cache", "median", "min–max (ms)", "peak memory", "stdout")
        lines += table(timing_rows(timings), header, "--- --- --- ---: ---: ---: ---:")
        pairs = ratios(timings)
        if pairs:
            lines += ["", "svctrack / Taskwarrior, same data:", ""]
            header = ("svctrack", "median", "Taskwarrior", "median", "ratio")
            lines += table(pairs, header, "--- ---: --- ---: ---:")
    for ctx, timings in results:
        if ctx.size not in GOALS:
            continue
        lines += ["", f"## Goals at {ctx.size:,} engagements", ""]
        load = ctx.facts.get("load average (1 min) before/after", "?")
        lines += [
            f"Each ratio is of two medians of {args.runs} runs measured in one group,"
            f" interleaved (load average before/after: {load})."
            + (" Fewer than 7 runs: indicative only." if args.runs < 7 else ""),
            "",
        ]
        lines += table(goals(ctx.size, timings), ("goal", "measured", "result"), "--- --- ---")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,10000", help="engagement counts (default 1000,10000)"
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=3,
        help="timed runs of the rows that parse every file (cold, no cache, validate), with no "
        "warm-up (default 3)",
    )
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="Markdown report")
    parser.add_argument("--work", type=Path, default=WORK, help="where workspaces go (regenerated)")
    parser.add_argument("--svctrack", help="the svctrack executable (default: next to this Python)")
    parser.add_argument("--no-taskwarrior", action="store_true", help="skip Taskwarrior")
    parser.add_argument(
        "--only",
        help="comma-separated substrings: run only the matching commands (each with the"
        " commands it is compared with)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    results = [run_size(size, args) for size in sizes]
    for ctx, timings in results:
        if ctx.size in GOALS:
            print(f"\n== goals at {ctx.size:,} engagements")
            for text, measured, verdict in goals(ctx.size, timings):
                print(f"   {verdict:<5} {text}: {measured}")
    if args.out:
        args.out.write_text(report(results, args), encoding="utf-8")
        print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
