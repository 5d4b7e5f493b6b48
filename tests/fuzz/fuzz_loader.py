"""Fuzz the item-file loader and the date parser.

    python tests/fuzz/fuzz_loader.py -max_total_time=60          # atheris (libFuzzer flags)
    python tests/fuzz/fuzz_loader.py -max_total_time=60 --plain  # a plain random-mutation loop

An input's first byte picks the target (0: a service file, 1: an engagement file, 2: a
command-line date); the rest is the file or the date. A file goes through what every command does
with it: `store.decode` → `store.parse_text` → `model.check`, and an item without errors on to
`show --json` and the dashboard summary. A refusal (FileProblem, UsageError) is the expected
answer to bad input; any other exception is a finding. The corpus is seeded from examples/.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ["SVCTRACK_TODAY"] = "2026-11-26"

try:
    import atheris
except ImportError:  # the plain loop below needs nothing
    atheris = None

# The pure-Python tomllib rather than compiled tomli: the same grammar, and atheris sees its
# branches, so coverage guides the inputs past the parser into the model.
sys.modules["tomli"] = None  # type: ignore[assignment]

if atheris is not None:
    with atheris.instrument_imports(include=["svctrack", "tomllib"]):
        from svctrack.domain import dates, queries
        from svctrack.domain.model import check
        from svctrack.domain.pipeline import load_pipelines
        from svctrack.errors import SvcError
        from svctrack.output import jsonout
        from svctrack.storage import store
else:
    from svctrack.domain import dates, queries
    from svctrack.domain.model import check
    from svctrack.domain.pipeline import load_pipelines
    from svctrack.errors import SvcError
    from svctrack.output import jsonout
    from svctrack.storage import store

KINDS = ("service", "engagement")
PIPELINES = load_pipelines({})
TODAY = date(2026, 11, 26)
DATES = ["2026-12-15", "today", "tomorrow", "+3d", "+2w", "+1m", "12.01.2026", "2999-12-31"]


def check_file(kind: str, raw: bytes) -> None:
    try:
        text = store.decode(raw, "fuzz.toml")[0]
        data = store.parse_text(text, "fuzz.toml")
    except SvcError:
        return
    pipeline = PIPELINES[kind]
    item, problems = check(kind, "fuzz", data, pipeline)
    if any(p.severity == "error" for p in problems):
        return
    json.dumps(jsonout.show(item, pipeline, TODAY, []), allow_nan=False, default=str)
    queries.summarize(item, pipeline, TODAY)
    queries.obligations(item, pipeline, TODAY)


def check_date(raw: bytes) -> None:
    text = raw.decode("utf-8", "replace")
    try:
        day = dates.parse_date(text, base=TODAY)
    except SvcError:
        return
    assert dates.FIRST <= day <= dates.LAST, (text, day)


def one_input(raw: bytes) -> None:
    if not raw:
        return
    target, rest = raw[0] % 3, raw[1:]
    if target == 2:
        check_date(rest)
    else:
        check_file(KINDS[target], rest)


def seeds() -> list[bytes]:
    found = []
    for kind, folder in ((0, "services"), (1, "engagements")):
        for path in sorted((ROOT / "examples" / folder).glob("*.toml")):
            found.append(bytes([kind]) + path.read_bytes())
    found += [b"\x02" + d.encode() for d in DATES]
    return found


def seed_corpus(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, seed in enumerate(seeds()):
        path = folder / f"seed-{number:03d}"
        if not path.exists():
            path.write_bytes(seed)


# --- without atheris: random mutations of the seeds --------------------------------------

TOKENS = [b"[", b"]", b"[[", b"]]", b"=", b'"', b"'''", b'"""', b"\n", b"\r\n", b"#", b"\\u",
          b"{", b"}", b",", b".", b"1979-05-27T07:32:00-08:00", b"9999-12-31", b"0001-01-01",
          b"inf", b"nan", b"-0", b"1e400", b"true", b"\xef\xbb\xbf", b"\xff", b"\x00",
          b"stage", b"history", b"gates", b"deadlines", b"price", b"due", b"at", b"+99999d",
          b"feedback", b"notes", b"time", b"hours", b"score", b"=======",
          b"<<<<<<< HEAD\n"]  # fmt: skip


def mutate(data: bytes, pool: list[bytes], rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.randrange(6)
        at = rng.randint(0, len(buf))
        if choice == 0 and buf:
            buf[min(at, len(buf) - 1)] = rng.randrange(256)
        elif choice == 1:
            buf[at:at] = rng.choice(TOKENS)
        elif choice == 2 and buf:
            del buf[at : at + rng.randint(1, 16)]
        elif choice == 3:
            other = rng.choice(pool)
            start = rng.randint(0, len(other))
            buf[at:at] = other[start : start + rng.randint(1, 64)]
        elif choice == 4 and buf:
            start = rng.randint(0, len(buf))
            buf[at:at] = buf[start : start + rng.randint(1, 32)]
        elif choice == 5 and len(buf) > 1:
            buf[0] = rng.randrange(3)
    return bytes(buf)


def plain(seconds: float, corpus: Path) -> int:
    rng = random.Random(int(os.environ.get("FUZZ_SEED", "0")) or None)
    pool = [p.read_bytes() for p in sorted(corpus.iterdir()) if p.is_file()] or seeds()
    runs, crashes, end = 0, 0, time.monotonic() + seconds
    while time.monotonic() < end:
        data = mutate(rng.choice(pool), pool, rng)
        runs += 1
        try:
            one_input(data)
        except Exception:
            crashes += 1
            name = HERE / f"crash-{runs}"
            name.write_bytes(data)
            print(f"crash saved to {name}:\n{traceback.format_exc()}", file=sys.stderr)
            if crashes >= 10:
                break
        else:
            if rng.random() < 0.01 and len(pool) < 5000:
                pool.append(data)
    print(f"{runs} inputs in {seconds:.0f} s, {crashes} crashes")
    return 1 if crashes else 0


def main() -> int:
    args = sys.argv[1:]
    corpus = HERE / "corpus"
    seed_corpus(corpus)
    budget = next((float(a.split("=", 1)[1]) for a in args if a.startswith("-max_total_time=")), 60)
    if atheris is None or "--plain" in args:
        return plain(budget, corpus)
    args = [a for a in args if a != "--plain"]
    if not any(a.startswith("-dict=") for a in args):
        args.append(f"-dict={HERE / 'toml.dict'}")
    if not any(not a.startswith("-") for a in args):
        args.append(str(corpus))  # libFuzzer adds what it finds to the first corpus folder
    atheris.Setup([sys.argv[0], *args], one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
