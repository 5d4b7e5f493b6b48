"""Commands that mend mistakes: undo, reopen, rename, delete."""

from __future__ import annotations

from typing import Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import HELP_PANEL_LIFECYCLE, IdArg, JsonOpt, say
from svctrack.messages import Plural, msg

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
    # (a batch opened the tracker, with a journal to make, before this line)
    tracker.store.journal = tracker.store.journal_maker = None
    journal = Journal(tracker.root, s.command)
    if show_list or json_output:
        entries = undoing.history(journal)
        if json_output:
            from svctrack.output import jsonout

            jsonout.emit(jsonout.journal(entries))
            return
        if not entries:
            s.say(msg("nothing_to_undo_short"))
            return
        from svctrack.output.mend_views import journal_table

        s.print(journal_table(entries, s.width, s.lang))
        return
    done = undoing.undo(tracker.store, journal)
    for passed in done.passed:
        say(msg("undo_skipped", command=passed.command).render(s.lang))
    said = [
        msg(verb, paths=", ".join(paths))
        for verb, paths in (("put_back", done.restored), ("removed_paths", done.removed))
        if paths
    ]
    say(msg("undid", command=done.entry.command).render(s.lang))
    typer.echo("; ".join(m.render(s.lang) for m in said))
    s.changed(f"undo: {done.entry.command}", "; ".join(said))


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
    from svctrack.cli.commands.lifecycle import moved

    state(ctx).say(moved(ctx, move, item_id))
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
    followed = Plural(len(done.followed), "engagement")
    if done.followed:
        state(ctx).say(msg("renamed_followed", old=done.old, new=done.new, followed=followed))
    else:
        state(ctx).say(msg("renamed", old=done.old, new=done.new))
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
        ask = msg("delete_ask", kind=msg(f"kind_{kind}"), id=item_id).render(state(ctx).lang)
        if not typer.confirm(ask, default=False, err=True):
            state(ctx).say(msg("nothing_deleted"))
            return
    deleting(tracker, item_id)
    state(ctx).say(msg("deleted", kind=msg(f"kind_{kind}"), id=item_id))
    state(ctx).changed(f"{item_id}: deleted")
