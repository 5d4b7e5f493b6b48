"""Commands that mend mistakes: undo, reopen, rename, delete."""

from __future__ import annotations

from typing import Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import HELP_PANEL_LIFECYCLE, JsonOpt, say

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
