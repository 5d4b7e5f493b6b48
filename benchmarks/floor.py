"""The floors: the least a Python CLI built on typer can do to answer `status --json` (the read
floor) and to add a note to one item file (the write floor).

    python benchmarks/floor.py --build WORKSPACE CACHE   # once: parse every file, pickle a summary
    python benchmarks/floor.py WORKSPACE CACHE           # the read floor: see below
    python benchmarks/floor.py --write WORKSPACE FILE    # the write floor: see `write`

The timed run starts Python, imports typer (every svctrack start pays for its CLI framework),
stats every item file and checks it against the cache's stat key (size, mtime, ctime, inode: what
svctrack's own cache compares), loads the pickled cache (a small summary of every item), and
prints the open items as JSON, soonest deadline first. No TOML is parsed and no rich is imported:
it is the reference for Python start-up plus the unavoidable work, not a tracker.
Exit status 1 when any file does not match the cache (the floor does not parse).

The write floor starts Python, imports typer and tomlkit (a writer that keeps comments needs a
TOML library that round-trips), takes the workspace lock (`flock` on `.svctrack.lock`), reads one
file, appends a `[[notes]]` table to its text and writes it atomically: a temp file in the same
folder, fsynced, renamed over the file, the folder fsynced.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from datetime import date

import typer  # noqa: F401  (the import is the point: svctrack pays for it on every start)

FOLDERS = {"service": "services", "engagement": "engagements"}
ENDS = ("closed", "cancelled")


def _listing(root: str, folder: str) -> list[os.DirEntry[str]]:
    with os.scandir(os.path.join(root, folder)) as found:
        return [d for d in found if d.name.endswith(".toml") and not d.name.startswith(".")]


def _key(entry: os.DirEntry[str]) -> tuple[int, int, int, int]:
    st = entry.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def build(root: str, cache: str) -> None:
    """Parse every file once and pickle {rel: (stat key, summary)}."""
    import tomllib

    entries = {}
    for kind, folder in FOLDERS.items():
        for found in _listing(root, folder):
            with open(found.path, "rb") as handle:
                data = tomllib.load(handle)
            dated = [data["due"]] if "due" in data else []
            dated += list(data.get("deadlines", {}).values())
            summary = {
                "id": found.name[:-5],
                "kind": kind,
                "name": data.get("name", ""),
                "stage": data.get("stage", ""),
                "next_deadline": min(dated).isoformat() if dated else None,
                "service": data.get("service", ""),
                "client": data.get("client", ""),
                "due": data["due"].isoformat() if "due" in data else None,
            }
            entries[f"{folder}/{found.name}"] = (_key(found), summary)
    with open(cache, "wb") as handle:
        pickle.dump(entries, handle, pickle.HIGHEST_PROTOCOL)


NOTE = '\n[[notes]]\nat = {at}\nby = "bench"\ntext = "benchmark note"\n'


def write(root: str, target: str) -> None:
    """The write floor: lock, read one file, write it back with a note added, atomically."""
    import fcntl
    import tempfile
    from datetime import datetime

    import tomlkit  # noqa: F401  (a writer that keeps the file's comments and layout needs it)

    lock = os.open(os.path.join(root, ".svctrack.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        with open(target, "rb") as handle:
            text = handle.read().decode("utf-8")
        at = datetime.now().astimezone().isoformat(timespec="seconds")
        data = (text + NOTE.format(at=at)).encode("utf-8")
        folder = os.path.dirname(target)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.")
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, target)
        where = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(where)
        finally:
            os.close(where)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    sys.stdout.write(f"noted on {os.path.basename(target)[:-5]}\n")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--build"]:
        build(argv[1], argv[2])
        return 0
    if argv[:1] == ["--write"]:
        write(argv[1], argv[2])
        return 0
    root, cache = argv[0], argv[1]
    today = date.fromisoformat(os.environ.get("SVCTRACK_TODAY") or date.today().isoformat())
    with open(cache, "rb") as handle:
        entries = pickle.load(handle)
    stale = 0
    out: dict[str, list[dict]] = {"services": [], "engagements": []}
    for folder in FOLDERS.values():
        for found in _listing(root, folder):
            entry = entries.get(f"{folder}/{found.name}")
            if entry is None or entry[0] != _key(found):
                stale += 1
                continue
            summary = entry[1]
            if summary["stage"] in ENDS:
                continue
            nearest = summary["next_deadline"]
            row = dict(summary, overdue=bool(nearest) and date.fromisoformat(nearest) < today)
            if summary["due"]:
                row["days_left"] = (date.fromisoformat(summary["due"]) - today).days
            out[folder].append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (not r["overdue"], r["next_deadline"] or "9999", r["id"]))
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    if stale:
        sys.stderr.write(f"floor: {stale} files changed since the cache was built\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
