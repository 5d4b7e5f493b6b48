"""The `service` and `engagement` groups: new and list."""

from __future__ import annotations

from typing import Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import (
    HELP_PANEL_SETUP,
    JsonOpt,
    MineOpt,
    ModeOpt,
    OwnerOpt,
    complete_services,
    complete_stages,
    finish,
    group,
    mode_wanted,
    owner_wanted,
)
from svctrack.domain.pipeline import state_word
from svctrack.messages import msg
from svctrack.output.i18n import day
from svctrack.usecases.actor import asking

service = group("service", HELP_PANEL_SETUP, "Create and list services (offerings).")
engagement = group("engagement", HELP_PANEL_SETUP, "Create and list engagements (one client each).")


@service.command("new")
def service_new(
    ctx: typer.Context,
    item_id: Annotated[
        str | None,
        typer.Argument(metavar="[ID]", help="Id (default: from the name).", show_default=False),
    ] = None,
    *,
    name: Annotated[str, typer.Option("--name", "-n", help="The service's name.")],
    owner: Annotated[str, typer.Option(help="Who answers for it.")] = "",
    mode: Annotated[str, typer.Option(help="online, offline or hybrid.")] = "",
    price: Annotated[str, typer.Option(help="List price, an exact amount.")] = "",
    currency: Annotated[str, typer.Option(help="Currency of the price.")] = "",
) -> None:
    """Create a service at its first stage (planning).

    Example: svctrack service new --name "Аудит безопасности" --owner anna
    """
    from svctrack.domain.fields import priced

    ctx.with_resource(asking())  # the history says who: git may be asked, meanwhile
    s = state(ctx)
    amount, currency = priced(price, currency)
    item = s.tracker.new_service(
        name, item_id=item_id, owner=owner, mode=mode, price=amount, currency=currency
    )
    stage = state_word(s.tracker.pipelines["service"], item.stage)
    s.say(msg("created_service", id=item.id, stage=stage))
    s.changed(f"{item.id}: new service, {item.name}")


@engagement.command("new")
def engagement_new(
    ctx: typer.Context,
    item_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]", help="Id (default: from service and client).", show_default=False
        ),
    ] = None,
    *,
    service: Annotated[
        str,
        typer.Option(
            "--service",
            "-s",
            help="The service delivered (id or prefix).",
            autocompletion=complete_services,
        ),
    ],
    client: Annotated[str, typer.Option("--client", "-c", help="The client.")],
    due: Annotated[str, typer.Option(help="Due date: YYYY-MM-DD, today, +2w, +1m ...")],
    name: Annotated[str, typer.Option(help="Name (default: '<service> — <client>').")] = "",
    start: Annotated[str, typer.Option(help="Start date (default: today).")] = "",
    owner: Annotated[
        str, typer.Option(help="Who answers for it (default: the service's owner).")
    ] = "",
    mode: Annotated[str, typer.Option(help="online, offline or hybrid.")] = "",
    price: Annotated[str, typer.Option(help="Agreed price, an exact amount.")] = "",
    currency: Annotated[str, typer.Option(help="Currency of the price.")] = "",
    contract: Annotated[str, typer.Option(help="Contract number or reference.")] = "",
    goal: Annotated[str, typer.Option(help="What the client wants from it.")] = "",
    needs: Annotated[str, typer.Option(help="The client's concrete need or problem.")] = "",
    every: Annotated[
        str,
        typer.Option(
            help="Recurring: month, quarter or year (closing it creates the next period's)."
        ),
    ] = "",
    pilot: Annotated[
        bool,
        typer.Option(
            "--pilot", help="Knowingly of a service that has not reached delivery (no warning)."
        ),
    ] = False,
) -> None:
    """Create an engagement (one client, one contract) at its first stage (preparation).

    A service that has not reached delivery may have engagements (pilots): one warning says so.

    Example: svctrack engagement new --service audit --client "ООО Ромашка" --due +6w --price 450000
    """
    from svctrack.domain.dates import parse_date
    from svctrack.domain.fields import parse_every, priced
    from svctrack.usecases.drafts import Terms

    ctx.with_resource(asking())  # the history says who: git may be asked, meanwhile
    s = state(ctx)
    amount, currency = priced(price, currency)
    terms = Terms(
        name=name,
        start=parse_date(start) if start else None,
        owner=owner,
        mode=mode,
        price=amount,
        currency=currency,
        contract=contract,
        goal=goal,
        needs=needs,
        every=parse_every(every) if every else "",
        pilot=pilot,
    )
    item = s.tracker.new_engagement(service, client, parse_date(due), terms, item_id=item_id)
    stage = state_word(s.tracker.pipelines["engagement"], item.stage)
    due = day(item.due, s.lang)
    s.say(msg("created_engagement", id=item.id, stage=stage, due=due))
    if warning := s.tracker.pilot(item):
        s.say(msg("pilot_warning", warning=warning), err=True)
    s.changed(f"{item.id}: new engagement for {item.client}, due {item.due}")


def _list(
    ctx: typer.Context,
    kind: str,
    stage: str,
    service: str,
    client: str,
    show_all: bool,
    json_output: bool,
    who: str | None = None,
    how: str | None = None,
) -> None:
    from svctrack.domain.queries import in_mode, owned_by, sort_key

    s = state(ctx)
    tracker = s.tracker
    pipeline = tracker.pipelines[kind]
    if stage and not pipeline.is_known(stage):
        from svctrack.domain.fields import suggest
        from svctrack.errors import UsageError

        states = (*pipeline.stage_ids, *pipeline.ends)
        said = msg("option_stage", stage=repr(stage), kind=msg(f"of_{kind}"))
        raise UsageError(msg("with_meant", message=said, meant=suggest(stage, states)))
    service_id = tracker.resolve(service, "service", needs="--service")[1] if service else ""
    found, broken = tracker.summaries([kind], only_open=not show_all and not stage)
    rows = [
        summary
        for summary in found
        if (not stage or summary.stage == stage)
        and (not service_id or summary.service == service_id)
        and (not client or client.casefold() in summary.client.casefold())
        and (who is None or owned_by(summary.owner, who))
        and in_mode(summary.mode, how)
    ]
    rows.sort(key=sort_key)
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit_text(jsonout.summaries(rows))
    else:
        from svctrack.output import dashboard as render
        from svctrack.output.i18n import word

        if rows:
            title = (
                word("services" if kind == "service" else "engagements", s.lang) + f" ({len(rows)})"
            )
            s.print(render.summaries_table(rows, tracker.pipelines, s.lang, s.width, title=title))
        else:
            s.say(msg(f"no_{kind}s_match"), err=True)
    finish(broken)


StageOpt = Annotated[
    str,
    typer.Option(
        "--stage",
        help="Only items at this stage (closed and cancelled too).",
        autocompletion=complete_stages,
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", "-a", help="Include closed and cancelled items.")]


@service.command("list")
def service_list(
    ctx: typer.Context,
    *,
    stage: StageOpt = "",
    show_all: AllOpt = False,
    owner: OwnerOpt = None,
    mine: MineOpt = False,
    mode: ModeOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """List services, overdue and soonest deadline first.

    Example: svctrack service list --stage development
    """
    who = owner_wanted(owner, mine)
    _list(ctx, "service", stage, "", "", show_all, json_output, who, mode_wanted(mode))


@engagement.command("list")
def engagement_list(
    ctx: typer.Context,
    *,
    stage: StageOpt = "",
    service: Annotated[
        str,
        typer.Option(
            "--service",
            "-s",
            help="Only engagements of this service.",
            autocompletion=complete_services,
        ),
    ] = "",
    client: Annotated[
        str, typer.Option("--client", "-c", help="Only clients whose name contains this.")
    ] = "",
    show_all: AllOpt = False,
    owner: OwnerOpt = None,
    mine: MineOpt = False,
    mode: ModeOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """List engagements, overdue and soonest due first.

    Example: svctrack engagement list --client Ромашка --mode online --all --json
    """
    who = owner_wanted(owner, mine)
    _list(ctx, "engagement", stage, service, client, show_all, json_output, who, mode_wanted(mode))
