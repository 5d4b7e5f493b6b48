"""Lifecycle commands: advance, rework, cancel, check, uncheck, set, note, feedback, doc, log."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_LIFECYCLE,
    IdArg,
    NoteOpt,
    complete_channels,
    complete_doc_kinds,
    complete_doc_statuses,
    complete_fields,
    complete_gates,
)
from svctrack.output.text import inert

app = typer.Typer()


# --- lifecycle ------------------------------------------------------------------------------


def _moved(ctx: typer.Context, move: Any, item_id: str, note: str) -> None:
    suffix = f" (forced past {', '.join(move.skipped)})" if move.forced else ""
    typer.echo(f"{item_id}: {move.source} → {move.target}{suffix}")
    if move.ticked:  # gate items of the stage entered that the facts already satisfy
        typer.echo(f"{item_id}: {', '.join(f'{g} done' for g in move.ticked)}")
    message = f"{item_id}: {move.source} → {move.target}{suffix}"
    if move.next_item:  # a recurring engagement closed: the series goes on
        said = "the next period is already there" if move.next_existed else "next period created"
        typer.echo(f"{said}: {move.next_item}")
        if not move.next_existed:
            message += f"; next period {move.next_item}"
    state(ctx).changed(message, note)


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def advance(
    ctx: typer.Context,
    item: IdArg,
    *,
    note: NoteOpt = "",
    force: Annotated[
        bool, typer.Option("--force", help="Move on with gate items open (recorded).")
    ] = False,
) -> None:
    """Move to the next stage; refused while the stage's gate items are open.

    Example: svctrack advance acme-audit --note "client approved the plan"
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    _moved(ctx, tracker.advance(item_id, note=note, force=force), item_id, note)


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def rework(
    ctx: typer.Context,
    item: IdArg,
    *,
    note: Annotated[str, typer.Option("--note", "-m", help="What must be redone.")],
) -> None:
    """Go back for corrections (control→execution, testing→development, monitoring→planning).

    Example: svctrack rework acme-audit --note "the report misses the network scan"
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    _moved(ctx, tracker.rework(item_id, note=note), item_id, note)


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def cancel(
    ctx: typer.Context,
    item: IdArg,
    *,
    note: Annotated[str, typer.Option("--note", "-m", help="Why it ends early.")],
) -> None:
    """End an item early (state cancelled).

    Example: svctrack cancel acme-audit --note "client withdrew"
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    _moved(ctx, tracker.cancel(item_id, note=note), item_id, note)


ItemsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="ITEM...",
        help="Gate items of the current stage, or principles (a unique prefix will do).",
        autocompletion=complete_gates,
    ),
]


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def check(
    ctx: typer.Context,
    item: IdArg,
    keys: ItemsArg,
    *,
    note: Annotated[str, typer.Option("--note", "-m", help="A remark kept beside the tick.")] = "",
) -> None:
    """Tick gate items of the current stage as done, or principles as honoured.

    Example: svctrack check acme-audit terms-agreed resources --note "signed 12 Nov"
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    marks = tracker.check_all(item_id, keys, ok=True, note=note)
    said = ", ".join(f"{k} {'done' if w == 'gate' else 'honoured'}" for k, w in marks)
    typer.echo(f"{item_id}: {said}")
    state(ctx).changed(f"{item_id}: {said}", note)


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def uncheck(
    ctx: typer.Context,
    item: IdArg,
    keys: ItemsArg,
    *,
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove the mark (a principle: not assessed).")
    ] = False,
    note: Annotated[str, typer.Option("--note", "-m", help="A remark kept beside the mark.")] = "",
) -> None:
    """Mark gate items as not done, or principles as not honoured (--clear: not assessed).

    Example: svctrack uncheck acme-audit communication --note "two weeks without an update"
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    marks = tracker.check_all(item_id, keys, ok=False, note=note, clear=clear)
    said = ", ".join(
        f"{k} {'cleared' if clear else ('open' if w == 'gate' else 'not honoured')}"
        for k, w in marks
    )
    typer.echo(f"{item_id}: {said}")
    state(ctx).changed(f"{item_id}: {said}", note)


def _set_help() -> str:
    """`set`'s help: what it does, the fields it takes (from the one field table), an example."""
    from svctrack.domain.fields import settable_fields

    fields = "\n".join(f"[bold]{key}[/bold]: {what}" for key, what in settable_fields())
    return (
        "Change one field of an item; an empty VALUE ('') removes an optional one.\n\n"
        f"Fields:\n\n{fields}\n\nExample: svctrack set acme-audit due +2w"
    )


@app.command("set", rich_help_panel=HELP_PANEL_LIFECYCLE, help=_set_help())
def set_(
    ctx: typer.Context,
    item: IdArg,
    name: Annotated[
        str,
        typer.Argument(
            metavar="FIELD",
            help="One of the fields listed above.",
            autocompletion=complete_fields,
        ),
    ],
    value: Annotated[
        str, typer.Argument(metavar="VALUE", help="The new value; '' removes an optional field.")
    ],
) -> None:
    """Change one field of an item.

    Example: svctrack set acme-audit due +2w
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    key, new = tracker.set_field(item_id, name, value)
    shown = str(new).lower() if isinstance(new, bool) else new  # `pilot = true`, as in the file
    said = f"{item_id}: {key} = {shown}" if new is not None else f"{item_id}: {key} removed"
    typer.echo(inert(said))
    state(ctx).changed(said)


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def note(
    ctx: typer.Context,
    item: IdArg,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What was said or agreed.")],
    *,
    channel: Annotated[
        str,
        typer.Option(help="email, call, meeting, chat or other.", autocompletion=complete_channels),
    ] = "other",
) -> None:
    """Log a communication with the client (what, when, through which channel).

    Example: svctrack note acme-audit "sent the draft report" --channel email
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    tracker.add_note(item_id, text, channel=channel)
    typer.echo(f"{item_id}: note added")
    state(ctx).changed(f"{item_id}: {channel} note", text)


Score = Annotated[int | None, typer.Option(show_default=False, help="1–5.")]


@app.command(rich_help_panel=HELP_PANEL_LIFECYCLE)
def feedback(
    ctx: typer.Context,
    item: IdArg,
    *,
    score: Annotated[int, typer.Option(help="Overall satisfaction, 1–5.")],
    speed: Score = None,
    accuracy: Score = None,
    availability: Score = None,
    courtesy: Score = None,
    comment: Annotated[str, typer.Option(help="The client's words.")] = "",
) -> None:
    """Record the client's feedback on an engagement (1–5, overall and per quality).

    Example: svctrack feedback acme-audit --score 5 --speed 4 --comment "clear and on time"
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item, "engagement", needs="feedback")[1]
    ticked = tracker.add_feedback(
        item_id,
        score,
        comment=comment,
        speed=speed,
        accuracy=accuracy,
        availability=availability,
        courtesy=courtesy,
    )
    typer.echo(f"{item_id}: feedback {score}/5 recorded" + "".join(f", {g} done" for g in ticked))
    state(ctx).changed(f"{item_id}: feedback {score}/5", comment)


@app.command("doc", rich_help_panel=HELP_PANEL_LIFECYCLE)
def doc(
    ctx: typer.Context,
    item: IdArg,
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="contract, act, invoice, report or other.",
            autocompletion=complete_doc_kinds,
        ),
    ],
    *,
    name: Annotated[
        str, typer.Option("--name", "-n", help="Its name or number; names one of several.")
    ] = "",
    status: Annotated[
        str,
        typer.Option(
            "--status",
            help="draft, sent or signed (dated today).",
            autocompletion=complete_doc_statuses,
        ),
    ] = "",
) -> None:
    """Add a document to an engagement, or update one: its status goes draft → sent → signed.

    When every listed document is signed, `documents-signed` is ticked at completion.

    Example: svctrack doc acme-audit act --name "Act 12/2026" --status signed
    """
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item, "engagement", needs="doc")[1]
    done = tracker.set_document(item_id, kind, name=name, status=status)
    d = done.document
    what = f"{d.kind}" + (f" {inert(d.name)!r}" if d.name else "")
    verb = "added" if done.added else ("updated" if done.changed else "unchanged")
    said = f"{item_id}: {what} {verb} ({d.status})" + "".join(f", {g} done" for g in done.ticked)
    typer.echo(said)
    state(ctx).changed(f"{item_id}: {what} {d.status}")


@app.command("log", rich_help_panel=HELP_PANEL_LIFECYCLE)
def log_time(
    ctx: typer.Context,
    item: IdArg,
    hours: Annotated[str, typer.Argument(metavar="HOURS", help="1.5, 90m or 2h30m.")],
    *,
    note: Annotated[str, typer.Option("--note", "-m", help="What the time went on.")] = "",
    on: Annotated[str, typer.Option("--date", help="The day worked (default: today).")] = "",
    by: Annotated[str, typer.Option("--by", help="Who worked (default: you).")] = "",
) -> None:
    """Record time spent on an item (exact hours; budget in `budget_hours`).

    Example: svctrack log acme-audit 2h30m --note "interviews with the IT team"
    """
    from svctrack.domain.dates import parse_date
    from svctrack.domain.fields import hours_problem, parse_hours

    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    amount = parse_hours(hours, rule=hours_problem)  # how many in a day: the tracker says
    total = tracker.log_time(item_id, amount, on=parse_date(on) if on else None, by=by, note=note)
    typer.echo(f"{item_id}: {amount} h logged, {total} h in all")
    state(ctx).changed(f"{item_id}: {amount} h logged", note)
