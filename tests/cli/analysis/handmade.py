"""Closed and open engagements written as TOML by hand, for the analysis tests: exact dates, so
that what a report must say of them can be worked out beside each test."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import Workspace


def service(ws: Workspace, sid: str, stage: str, *, name: str = "", mode: str = "") -> None:
    """A service at `stage`, its history walking the pipeline there from 2026-01-01."""
    stages = ["planning", "development", "testing", "launch", "delivery", "monitoring"]
    lines = [f'name = "{name or sid}"', f'stage = "{stage}"']
    if mode:
        lines.append(f'mode = "{mode}"')
    previous = None
    for n, step in enumerate(stages[: stages.index(stage) + 1]):
        lines += ["", "[[history]]"]
        if previous:
            lines.append(f'from = "{previous}"')
        lines += [f'to = "{step}"', f"at = 2026-01-{n + 1:02}T10:00:00+03:00", 'by = "anna"']
        previous = step
    (ws.root / "services" / f"{sid}.toml").write_text("\n".join(lines) + "\n", "utf-8")


def engagement(
    ws: Workspace,
    eid: str,
    svc: str,
    *,
    due: str,
    closed_on: str | None = None,
    mode: str = "",
    score: int | None = None,
    speed: int | None = None,
    rework: bool = False,
    owner: str = "",
    client: str = "",
    budget: str | None = None,
    time: tuple[tuple[str, str, str], ...] = (),  # (date, hours, by)
) -> None:
    """An engagement of `svc`, closed on `closed_on` (None: open, at execution), its history
    starting ten days before."""
    end = date.fromisoformat(closed_on or "2026-11-20")
    start = end - timedelta(days=10)
    begun = min(start, date.fromisoformat(due))  # an engagement is due on or after its start
    lines = [
        f'name = "{eid}"',
        f'service = "{svc}"',
        f'client = "{client or eid.upper()}"',
        f'stage = "{"closed" if closed_on else "execution"}"',
        f"start = {begun}",
        f"due = {due}",
        f'goal = "what {eid} is for"',  # past preparation: `validate --strict` asks for it
    ]
    if mode:
        lines.append(f'mode = "{mode}"')
    if owner:
        lines.append(f'owner = "{owner}"')
    if budget:
        lines.append(f"budget_hours = {budget}")
    steps: list[tuple[str | None, str, int]] = [
        (None, "preparation", 0),
        ("preparation", "execution", 1),
    ]
    if closed_on:
        steps.append(("execution", "control", 5))
        if rework:
            steps += [("control", "execution", 6), ("execution", "control", 7)]
        steps += [("control", "completion", 8), ("completion", "closed", 10)]
    for source, to, offset in steps:
        lines += ["", "[[history]]"]
        if source:
            lines.append(f'from = "{source}"')
        at = start + timedelta(days=offset)
        lines += [f'to = "{to}"', f"at = {at}T10:00:00+03:00", 'by = "anna"']
    if score is not None:
        lines += ["", "[[feedback]]", f"at = {end}T12:00:00+03:00", f"score = {score}"]
        if speed is not None:
            lines.append(f"speed = {speed}")
    for day, hours, by in time:
        lines += ["", "[[time]]", f"date = {day}", f"hours = {hours}", f'by = "{by}"']
    (ws.root / "engagements" / f"{eid}.toml").write_text("\n".join(lines) + "\n", "utf-8")
