"""Integration commands: edit, sync, history, merge-file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_INTEGRATION,
    IdArg,
    JsonOpt,
    say,
)
from svctrack.errors import Refused, UsageError
from svctrack.messages import Plural, msg

app = typer.Typer()


# --- edit -----------------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_INTEGRATION)
def edit(ctx: typer.Context, item: IdArg) -> None:
    """Open an item's file in $VISUAL or $EDITOR; a valid result replaces it, an invalid one never.

    You edit a temporary copy. An invalid edit is shown with its errors and offered again (on a
    terminal; otherwise it is an error and the file stays as it was).

    Example: EDITOR=nano svctrack edit acme-audit
    """
    from svctrack.usecases import editing

    s = state(ctx)
    tracker = s.tracker
    kind, item_id = tracker.resolve(item)

    def show(found: list[Any]) -> None:
        for f in found:
            where = f.path + (f":{f.line}:{f.column or 1}" if f.line else "")
            say(
                msg(
                    "finding",
                    place=where,
                    severity=msg(f"severity_{f.severity}"),
                    message=f.message,
                )
            )

    def again() -> bool:
        return typer.confirm(msg("edit_again").render(s.lang), default=True, err=True)

    outcome = editing.edit(tracker, kind, item_id, show=show, again=again)
    if not outcome.written:
        s.say(msg("edit_not_written", id=item_id, reason=outcome.reason))
        return
    keys = ", ".join(outcome.changed) or msg("formatting")
    s.say(msg("edit_saved", id=item_id, keys=keys))
    s.changed(f"{item_id}: edited {keys}")


# --- git ------------------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_INTEGRATION)
def sync(
    ctx: typer.Context,
    *,
    resume: Annotated[
        bool, typer.Option("--continue", help="Go on after you resolved a conflict.")
    ] = False,
    abort: Annotated[
        bool, typer.Option("--abort", help="Give up a stopped sync: back to before it began.")
    ] = False,
) -> None:
    """Share the workspace through git: pull with rebase, validate, push.

    Item files are merged by svctrack (`merge-file`, which sync registers): entries both sides
    added are all kept. A key both sides changed stops the sync; it is explained item by item,
    with the next step, and every svctrack write is refused until `--continue` or `--abort`.
    Uncommitted changes must be committed first.

    Example: svctrack sync
    """
    from svctrack.git import plumbing
    from svctrack.git import sync as pull_push
    from svctrack.usecases.validation import validate

    if resume and abort:
        raise UsageError(msg("exclude", a="--continue", b="--abort"))
    tracker = state(ctx).tracker
    root = tracker.root
    with tracker.store.locked(sync=True):  # no svctrack write while git rewrites the files
        plumbing.require_repo(root)
        if abort:
            sha = pull_push.abort(root)
            state(ctx).say(msg("sync_abandoned", sha=sha))
            return
        where = pull_push.target(root)
        try:
            if resume:
                pull_push.resume(root)
                pulled = None
            else:
                result = pull_push.sync(root)
                if result.registered:
                    state(ctx).say(msg("merge_committed", sha=result.registered), err=True)
                pulled = result.pulled
        except pull_push.SyncConflict as exc:
            _explain(exc.conflicts, where)
            raise
        errors = [f for f in validate(tracker.store) if f.severity == "error"]
        if errors:
            for f in errors:
                line = f":{f.line}" if f.line else ""
                say(msg("at_place", place=f"{f.path}{line}", message=f.message))
            files = Plural(len({f.path for f in errors}), "file")
            raise Refused(
                msg("invalid_after_pull", files=files), hint=msg("invalid_after_pull_hint")
            )
        pushed = pull_push.push(root, where)
    got = "" if pulled is None else msg("pulled", n=pulled)
    pushed_n = Plural(pushed, "commit")
    state(ctx).say(msg("synced", where=where, got=got, pushed=pushed_n))


def _explain(conflicts: list[Any], where: str) -> None:
    marked = False
    for c in conflicts:
        what: str = msg("not_svctrack_file")
        if c.kind:
            what = msg("ws_settings") if c.kind == "config" else f"{c.kind} {c.item_id}"
        if c.deleted_by:
            grown = ", ".join(f"[[{a}]]" for a in c.added)
            if c.deleted_by == "you":
                say(msg("c_you_deleted", path=c.path, what=what, other=where))
            else:
                say(msg("c_they_deleted", path=c.path, what=what, who=where))
            if grown:
                say(msg("c_would_lose", grown=grown))
            say(msg("c_keep_or_delete", path=c.path))
            continue
        if c.created_both:
            say(msg("c_both_created", path=c.path, what=what))
            mine = 3 if c.yours == "--theirs" else 2
            say(
                msg(
                    "c_both_created_hint",
                    where=where,
                    theirs=c.theirs,
                    yours=c.yours,
                    path=c.path,
                    mine=mine,
                    folder=Path(c.path).parent,
                )
            )
            marked = marked or bool(c.markers)
            continue
        say(msg("c_conflict", path=c.path, what=what))
        marked = marked or bool(c.markers)
        if not c.kind:
            say(msg("c_as_git_shows"))
            continue
        for clash in c.both:
            yours, theirs = _value(clash.yours), _value(clash.theirs)
            say(msg("c_both_changed", key=clash.key, yours=yours, where=where, theirs=theirs))
        for name in c.added:
            say(msg("c_both_added_kept" if c.merged_by_svctrack else "c_both_added", name=name))
        if c.unreadable:
            say(msg("c_unreadable"))
        if not c.both and not c.added and not c.unreadable:
            say(msg("c_neighbours"))
        if any(clash.key == "stage" for clash in c.both):
            say(msg("c_stage_merged" if c.merged_by_svctrack else "c_stage"))
    if marked:
        above, below = msg("theirs_side", where=where), msg("yours_side")
        if conflicts and conflicts[0].yours == "--ours":
            above, below = below, above
        say(msg("c_next", above=above, below=below))


def _value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return Plural(len(value), "entry") if isinstance(value, list) else msg("a_table")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@app.command(rich_help_panel=HELP_PANEL_INTEGRATION)
def history(ctx: typer.Context, item: IdArg, *, json_output: JsonOpt = False) -> None:
    """An item's story: its history entries merged with the git log of its file, oldest first.

    Example: svctrack history acme-audit
    """
    from svctrack.git.history import log

    s = state(ctx)
    tracker = s.tracker
    kind, item_id = tracker.resolve(item)
    found = tracker.get(item_id, kind)
    rel = tracker.store.rel(tracker.store.path(kind, item_id))
    commits = log(tracker.root, rel)
    rows = _story(found, commits, tracker.pipelines[kind], tracker.root)
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit(rows)
        return
    from svctrack.output.story import story

    s.print(story(rows, s.lang))


def _story(item: Any, commits: list[Any], pipeline: Any, root: Path) -> list[dict[str, Any]]:
    """History entries and commits, oldest first; `what` is a message (English in JSON). A
    commit goes beside the entries it added to the file (one row with the entry when it is
    svctrack's own commit of that one step); a commit from before the item's creation, or of
    another file that `git log --follow` took for this one, is left out."""
    from svctrack.domain.pipeline import state_word
    from svctrack.git.history import history_at

    rows: list[dict[str, Any]] = []
    for entry in item.history:
        source, to = state_word(pipeline, entry.source or ""), state_word(pipeline, entry.to)
        if entry.source:
            forced = ""
            if entry.forced:
                skipped = ", ".join(entry.skipped)
                forced = msg("forced_past", items=skipped) if skipped else msg("forced_plain")
            what = msg("story_moved", source=source, to=to, forced=forced)
        else:
            what = msg("story_created", to=to)
        rows.append(
            {
                "at": _aware(entry.at),
                "source": "history",
                "by": entry.by,
                "what": what,
                "note": entry.note,
                "commit": None,
            }
        )
    created = rows[0]["at"] if rows else None
    earliest = datetime.min.replace(tzinfo=UTC)  # not .astimezone(): year 0 is out of range
    order: dict[int, tuple[Any, ...]] = {
        n: (r["at"] is None, r["at"] or earliest, n, 0, 0) for n, r in enumerate(rows)
    }
    recorded = 0  # how many of the item's history entries the commits so far hold
    for n, commit in enumerate(reversed(commits)):  # oldest first
        entries = history_at(root, commit)
        if entries and created is not None and _aware(_first_at(entries)) != created:
            continue  # another item's file, which --follow took for an earlier name of this one
        count = len(entries) if entries is not None else recorded
        added = range(recorded, min(count, len(item.history)))
        recorded = count
        if created is not None and commit.at < created - timedelta(minutes=1):
            continue  # dated before the item existed
        if len(added) == 1 and _same(item.id, rows[added[0]]["what"], commit.subject):
            rows[added[0]]["commit"] = commit.sha
            continue
        row = {
            "at": commit.at,
            "source": "git",
            "by": commit.author,
            "what": commit.subject,
            "note": "",
            "commit": commit.sha,
        }
        rows.append(row)
        if added:  # right after the last entry it added
            order[len(rows) - 1] = (*order[added[-1]][:3], 1, n)
        else:
            order[len(rows) - 1] = (False, commit.at, len(item.history), 2, n)
    return [rows[n] for n in sorted(order, key=order.__getitem__)]


def _first_at(entries: list[Any]) -> datetime | None:
    first = entries[0] if entries else None
    at = first.get("at") if isinstance(first, dict) else None
    return at if isinstance(at, datetime) else None


def _same(item_id: str, what: str, subject: str) -> bool:
    """Whether a commit message is the one svctrack wrote for this history entry."""
    if subject.startswith(f"{item_id}: new "):
        return what.startswith("created")
    return subject.startswith(f"{item_id}: {what.split(' (', 1)[0]}")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.astimezone()


@app.command("merge-file", rich_help_panel=HELP_PANEL_INTEGRATION)
def merge_file(
    base: Annotated[str, typer.Argument(metavar="BASE", help="The common ancestor (git's %O).")],
    ours: Annotated[
        str, typer.Argument(metavar="OURS", help="Our version; the result goes here (%A).")
    ],
    theirs: Annotated[str, typer.Argument(metavar="THEIRS", help="Their version (%B).")],
    path: Annotated[str, typer.Argument(metavar="PATH", help="The file's path (%P).")] = "",
) -> None:
    """git's merge driver for item files: key by key, every entry of both sides kept.

    Entries both sides appended (history, notes, feedback, time, documents) are all kept, once
    each, in time order; a key changed on one side takes that change; a key both sides changed
    to different values gets git's markers around its own line, and the exit code is 1.
    `init` and `sync` register it for git; you need not run it yourself.

    Example: svctrack merge-file base.toml ours.toml theirs.toml engagements/acme.toml
    """
    from svctrack.git.merge import merge_file as merge

    result = merge(Path(base), Path(ours), Path(theirs), path)
    where = path or ours
    if result.fallback:
        say(msg("merged_by_line", where=where, reason=result.fallback))
    elif result.clashes:
        say(msg("merge_clashes", where=where, keys=", ".join(result.clashes)))
    if result.code:
        raise typer.Exit(result.code)
