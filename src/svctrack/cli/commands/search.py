"""Finding things: find."""

from __future__ import annotations

from typing import Annotated

import typer

from svctrack.cli.context import state
from svctrack.cli.options import HELP_PANEL_VIEWS, JsonOpt, finish
from svctrack.messages import msg

app = typer.Typer()


@app.command(rich_help_panel=HELP_PANEL_VIEWS)
def find(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What to look for.")],
    *,
    json_output: JsonOpt = False,
) -> None:
    """Items whose id, name, client, contract, notes or history notes contain TEXT.

    Case does not matter, in any alphabet: `find ромашка` finds «Ромашка».

    Example: svctrack find ромашка
    """
    from svctrack.domain.pipeline import KINDS
    from svctrack.domain.search import matches

    s = state(ctx)
    if not text.strip():
        from svctrack.errors import UsageError

        raise UsageError(msg("find_nothing"))
    per_item, broken = s.tracker.each(KINDS, lambda item: matches(item, text))
    found = [m for item in per_item for m in item]
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit(jsonout.found(found))
    elif not found:
        from svctrack.cli.options import say

        say(msg("found_nothing", text=repr(text)))
    else:
        from svctrack.output.mend_views import find_table

        s.print(find_table(found, s.width, s.lang))
    finish(broken)
