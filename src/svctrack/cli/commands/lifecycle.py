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
from svctrack.messages import Either, Msg, msg
from svctrack.output.text import inert
from svctrack.usecases.actor import asking

app = typer.Typer()


# --- lifecycle ------------------------------------------------------------------------------


def moved(ctx: typer.Context, move: Any, item_id: str) -> Msg:
    """`acme: execution → control`, «acme: выполнение → контроль»: a step as the person reads it
    (the commit message keeps its English, with the stage ids)."""
    from svctrack.domain.pipeline import state_word

    s = state(ctx)
    pipeline = s.tracker.pipelines[s.tracker.resolve(item_id)[0]]
    forced = msg("forced_past", items=", ".join(move.skipped)) if move.forced else ""
    source, target = state_word(pipeline, move.source), state_word(pipeline, move.target)
    return msg("moved", id=item_id, source=source, target=target, forced=forced)


def _moved(ctx: typer.Context, move: Any, item_id: str, note: str) -> None:
    s = state(ctx)
    said = moved(ctx, move, item_id)
    s.say(said)
    if move.ticked:  # gate items of the stage entered that the facts already satisfy
        _done(s, item_id, move.ticked)
    message = str(said)
    if move.next_item:  # a recurring engagement closed: the series goes on
        there = "next_period_there" if move.next_existed else "next_period_created"
        s.say(msg(there, id=move.next_item))
        if not move.next_existed:
            message += f"; next period {move.next_item}"
    if move.series_ended:  # closed all the same: the person makes the next one by hand
        s.say(msg("series_ended", why=move.series_ended), err=True)
    s.changed(message, note)


def _done(s: Any, item_id: str, ticked: list[str]) -> None:
    """`acme: documents-signed done`: gate items the facts ticked, in the person's language."""
    s.say(f"{item_id}: " + ", ".join(msg("mark_done", key=g).render(s.lang) for g in ticked))


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
    ctx.with_resource(asking())  # the history says who: git may be asked, meanwhile
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
    ctx.with_resource(asking())  # the history says who: git may be asked, meanwhile
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
    ctx.with_resource(asking())  # the history says who: git may be asked, meanwhile
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
    said = [msg("mark_done" if w == "gate" else "mark_honoured", key=k) for k, w in marks]
    _marked(ctx, item_id, said, note)


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
    said = [
        msg(
            "mark_cleared" if clear else ("mark_open" if w == "gate" else "mark_not_honoured"),
            key=k,
        )
        for k, w in marks
    ]
    _marked(ctx, item_id, said, note)


def _marked(ctx: typer.Context, item_id: str, marks: list[Msg], note: str) -> None:
    s = state(ctx)
    s.say(f"{item_id}: " + ", ".join(m.render(s.lang) for m in marks))
    s.changed(f"{item_id}: " + ", ".join(marks), note)


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
    said = (
        msg("field_set", id=item_id, key=key, value=shown)
        if new is not None
        else msg("field_removed", id=item_id, key=key)
    )
    typer.echo(inert(said.render(state(ctx).lang)))
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
    ctx.with_resource(asking())  # the note says who: git may be asked, meanwhile
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    tracker.add_note(item_id, text, channel=channel)
    state(ctx).say(msg("note_added", id=item_id))
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
    s = state(ctx)
    said = msg("feedback_recorded", id=item_id, score=score)
    done = "".join(", " + msg("mark_done", key=g).render(s.lang) for g in ticked)
    s.say(said.render(s.lang) + done)
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
    from svctrack.output.i18n import word

    s = state(ctx)
    d = done.document
    named = f" {inert(d.name)!r}" if d.name else ""
    what = f"{d.kind}{named}"
    shown = Either(what, word(f"doc_{d.kind}", "ru").lower() + named)
    now = Either(d.status, word(f"doc_{d.status}", "ru"))
    verb = "doc_added" if done.added else ("doc_updated" if done.changed else "doc_unchanged")
    said = msg(verb, id=item_id, what=shown, status=now).render(s.lang)
    s.say(said + "".join(", " + msg("mark_done", key=g).render(s.lang) for g in done.ticked))
    s.changed(f"{item_id}: {what} {d.status}")


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

    if not by:
        ctx.with_resource(asking())  # the entry says who: git may be asked, meanwhile
    tracker = state(ctx).tracker
    item_id = tracker.resolve(item)[1]
    amount = parse_hours(hours, rule=hours_problem)  # how many in a day: the tracker says
    total = tracker.log_time(item_id, amount, on=parse_date(on) if on else None, by=by, note=note)
    state(ctx).say(msg("time_logged", id=item_id, hours=amount, total=total))
    state(ctx).changed(f"{item_id}: {amount} h logged", note)
