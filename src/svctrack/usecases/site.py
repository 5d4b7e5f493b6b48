"""`export site`: the workspace as a folder of static HTML pages.

One pass over every item, one at a time from the read cache (memory stays flat at any size):
each item's page is written as soon as it is made, and what the index needs is kept on the way
(the cards of open items, the open engagements for the timeline, the facts of closed ones for
the report). Then the index and the archive page, and the pages of items that no longer exist
are removed: only `items/<id>.html` files, which svctrack alone writes there.

Each page is replaced atomically, and only when it changes, by a thread of its own while the
next pages are made (`outdir.Writer`); the pages are not fsynced one by one (thousands of
fsyncs take seconds; the site can be made again), but their folders are at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from svctrack.domain import dates
from svctrack.domain.analysis import Closed, close_facts, report, timeline
from svctrack.domain.ids import ID_RE
from svctrack.domain.model import Item
from svctrack.domain.pipeline import KINDS
from svctrack.domain.queries import Card, Summary, board, card
from svctrack.errors import FileProblem
from svctrack.output import site
from svctrack.storage import outdir
from svctrack.storage.paths import FOLDERS
from svctrack.usecases.tracker import Tracker

PAGE = re.compile(ID_RE.pattern.removeprefix("^").removesuffix("$") + r"\.html")


@dataclass
class Exported:
    """What `export_site` did."""

    folder: Path
    items: int = 0  # item pages made
    written: int = 0  # files written (new or changed), the index and the archive included
    removed: list[str] = field(default_factory=list)  # pages of items gone
    broken: list[FileProblem] = field(default_factory=list)


def export_site(
    tracker: Tracker,
    target: str,
    *,
    lang: str,
    internal: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Exported:
    """Write the site into the folder `target` (created if missing; a file is refused).

    `progress(done, total)` is called as item pages are made.
    """
    today = dates.today()
    root = outdir.folder(target)
    pages = outdir.subfolder(root, site.ITEMS)
    pipelines = tracker.pipelines
    firm = str(tracker.config.get("name", "")) or tracker.root.name
    summaries, broken = tracker.summaries()
    total = len(summaries)
    names = {s.id: s.name or s.id for s in summaries if s.kind == "service"}
    by_service: dict[str, list[Summary]] = {}
    for s in summaries:
        if s.kind == "engagement":
            by_service.setdefault(s.service, []).append(s)
    # the gates of services at delivery that their engagements' figures decide: one pass first
    figures = tracker.figures_of(
        Item("service", s.id, stage=s.stage) for s in summaries if s.kind == "service"
    )
    done = Exported(root)
    cards: dict[str, list[Card]] = {kind: [] for kind in KINDS}
    running: list[Item] = []
    closed: list[Closed] = []

    def visit(item: Item) -> str:
        pipeline = pipelines[item.kind]
        page = site.item_page(
            item,
            pipeline,
            today,
            lang,
            firm=firm,
            internal=internal,
            default_currency=tracker.currency,
            service_name=names.get(item.service, ""),
            engagements=by_service.get(item.id, ()) if item.kind == "service" else (),
            engagement_pipeline=pipelines["engagement"],
            figures=figures.get(item.id),
        )
        writer.put(pages / f"{item.id}.html", page.encode("utf-8"))
        if item.stage not in pipeline.ends:
            cards[item.kind].append(card(item, pipeline, today, figures.get(item.id)))
            if item.kind == "engagement":  # for the timeline: its dates, stage, first step
                running.append(replace(item, history=item.history[:1], notes=[], time=[]))
        elif item.kind == "engagement":
            facts = close_facts(item, pipeline, tracker.currency)
            if facts is not None:
                closed.append(facts)
        done.items += 1
        if progress is not None:
            progress(done.items, max(total, done.items))
        return item.id

    with outdir.Writer() as writer:
        made, more = tracker.each(KINDS, visit)
    done.written = writer.written
    done.broken = sorted(broken + more, key=lambda problem: problem.path)
    engagement = pipelines["engagement"]
    overview = site.Overview(
        firm=firm,
        lang=lang,
        today=today,
        pipelines=pipelines,
        boards={kind: board(cards[kind], pipelines[kind]) for kind in ("engagement", "service")},
        timeline=timeline(running, engagement, today),
        report=report(closed, engagement, today, service_names=names),
        service_names=names,
        archived=sum(not s.is_open for s in summaries),
        internal=internal,
    )
    index = site.index_page(overview)
    archive = site.archive_page(
        firm, [s for s in summaries if not s.is_open], pipelines, today, lang
    )
    for name, text in (("index.html", index), ("archive.html", archive)):
        if outdir.write(root / name, text.encode("utf-8"), durable=False):
            done.written += 1
    # A file that does not parse is still an item: its page stays until it is fixed or gone.
    keep = {f"{item_id}.html" for item_id in made}
    keep |= {f"{Path(p.path).stem}.html" for p in done.broken if _in_items(p.path)}
    done.removed = outdir.prune(pages, keep, PAGE)
    outdir.settle(pages, root)
    return done


def _in_items(path: str) -> bool:
    return any(path.startswith(f"{folder}/") for folder in FOLDERS.values())
