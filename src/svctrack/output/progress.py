"""A progress bar for long work, on stderr, for a person watching.

The use cases know nothing of it: they call a plain `(done, total)` callable as they go. The CLI
makes one only when stderr is a terminal and the output is not JSON (`cli.context.State.
progress`). The bar appears only once the work has taken `after` seconds (1 by default;
SVCTRACK_PROGRESS_AFTER), so a fast run prints nothing and never imports rich; it is transient:
taken off the terminal when its work is done, before the command's own output.
"""

from __future__ import annotations

import os
import time
from typing import Any

AFTER = 1.0  # seconds of work before a bar shows
REFRESH = 0.1  # seconds between two redraws (no thread of rich's: forked workers stay plain)


def after_seconds() -> float:
    """How long work goes on before its bar shows: SVCTRACK_PROGRESS_AFTER, else AFTER."""
    value = os.environ.get("SVCTRACK_PROGRESS_AFTER", "").strip()
    try:
        seconds = float(value) if value else AFTER
    except ValueError:
        return AFTER
    return seconds if 0 <= seconds < float("inf") else AFTER


class Bar:
    """One bar for a command's long work: `tick(what, done, total)` as it goes, `close()` to
    take it off the terminal. `done >= total` ends one stretch of work (a kind of item): the
    bar goes, and shows again if more follows. The reads under a command's own work (the items
    that `export site` makes pages of) tick as `background`, ignored while that work goes on:
    one bar, never two."""

    def __init__(self, *, color: bool = True, after: float | None = None) -> None:
        self.color = color
        self.after = after_seconds() if after is None else after
        self.began: float | None = None  # the first tick
        self.busy = False  # a command's own (not background) work is under way
        self.shown: Any = None  # the rich Progress while on the terminal
        self.task: Any = None
        self.drawn = 0.0

    def tick(self, what: str, done: int, total: int, *, background: bool = False) -> None:
        if background and self.busy:
            return
        now = time.monotonic()
        if self.began is None:
            self.began = now
        if done >= total:
            self.busy = False
            self.close()
            return
        self.busy = self.busy or not background
        if self.shown is None:
            if now - self.began >= self.after:
                self._show(what, done, total)
                self.drawn = now
            return
        self.shown.update(self.task, description=what, completed=done, total=total)
        if now - self.drawn >= REFRESH:
            self.drawn = now
            self.shown.refresh()

    def _show(self, what: str, done: int, total: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        console = Console(stderr=True, no_color=not self.color or None, highlight=False)
        self.shown = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            auto_refresh=False,
        )
        self.task = self.shown.add_task(what, completed=done, total=total)
        self.shown.start()  # drawn at once

    def close(self) -> None:
        """Take the bar off the terminal, if it is on it."""
        shown, self.shown = self.shown, None
        if shown is not None:
            shown.stop()
