"""Commands that mend mistakes: undo, reopen, rename, delete."""

from __future__ import annotations

from typing import Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import HELP_PANEL_LIFECYCLE, IdArg, JsonOpt, say
from svctrack.messages import msg

app = typer.Typer()


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def undo(
    ctx: typer.Context,
    *,
    show_list: Annotated[
        bool, typer.Option("--list", help="Show what undo can put back, newest first.")
    ] = False,
    json_output: JsonOpt = False,
) -> None:
    """Put back the files the last svctrack write changed; repeated, it walks further back.

    Refused, changing nothing, when a file has changed since (a hand edit, a pull). The record
    of changes lives in your user data folder, never in the workspace (the last 100).

    Example: svctrack undo --list
    """
    from svctrack.storage.journal import Journal
    from svctrack.usecases import undo as undoing

    s = state(ctx)
    s.journal = False  # an undo is not itself undone: the next undo goes further back
    tracker = s.tracker
    journal = Journal(tracker.root, s.command)
    if show_list or json_output:
        entries = undoing.history(journal)
        if json_output:
            from svctrack.output import jsonout

            jsonout.emit(jsonout.journal(entries))
            return
        if not entries:
            typer.echo("nothing to undo")
            return
        from svctrack.output.mend_views import journal_table

        s.print(journal_table(entries, s.width))
        return
    done = undoing.undo(tracker.store, journal)
    for passed in done.passed:
        say(f"skipped `{passed.command}`: it changed nothing (stopped before it wrote)")
    said = "; ".join(
        f"{verb} {', '.join(paths)}"
        for verb, paths in (("put back", done.restored), ("removed", done.removed))
        if paths
    )
    say(f"undid `{done.entry.command}`")
    typer.echo(said)
    s.changed(f"undo: {done.entry.command}", said)


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def reopen(
    ctx: typer.Context,
    item: IdArg,
    *,
    note: Annotated[str, typer.Option("--note", "-m", help="Why it is reopened.")],
) -> None:
    """Take a closed or cancelled item back to the stage it ended from (recorded in history).

    Example: svctrack reopen acme-audit --note "the client found a gap in the report"
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    move = tracker.reopen(item_id, note=note)
    typer.echo(f"{item_id}: {move.source} → {move.target}")
    state(ctx).changed(f"{item_id}: reopened, {move.source} → {move.target}", note)


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def rename(
    ctx: typer.Context,
    item: IdArg,
    new: Annotated[str, typer.Argument(metavar="NEW", help="The new id.")],
    *,
    note: Annotated[str, typer.Option("--note", "-m", help="Why; recorded in history.")] = "",
) -> None:
    """Give an item a new id: its file is renamed and every engagement of a service follows.

    Example: svctrack rename acme-audit acme-security-audit
    """
    from svctrack.usecases.mending import rename as renaming

    done = renaming(state(ctx).tracker, item, new, note=note)
    followed = f"; {len(done.followed)} engagement{'' if len(done.followed) == 1 else 's'}"
    said = f"{done.old} → {done.new}" + (followed + " follow" if done.followed else "")
    typer.echo(f"renamed {said}")
    state(ctx).changed(f"{done.old}: renamed to {done.new}", note)


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def delete(
    ctx: typer.Context,
    item: IdArg,
    *,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (needed off a terminal).")
    ] = (False),
) -> None:
    """Remove an item created by mistake; `undo` brings it back. A service in use is refused.

    Asks first on a terminal; elsewhere it needs --yes.

    Example: svctrack delete acme-audit-2 --yes
    """
    import sys

    from svctrack.errors import UsageError
    from svctrack.usecases.mending import delete as deleting

    tracker = state(ctx).tracker
    kind, item_id = tracker.resolve(item)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(msg("delete_needs_yes", id=item_id))
        if not typer.confirm(f"Delete {kind} {item_id}?", default=False, err=True):
            typer.echo("nothing deleted")
            return
    deleting(tracker, item_id)
    typer.echo(f"deleted {kind} {item_id}")
    state(ctx).changed(f"{item_id}: deleted")
