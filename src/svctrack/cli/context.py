"""The context of one run: what the global options say, and what is opened lazily from them."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

import typer

from svctrack.errors import SvcError
from svctrack.records import record

if TYPE_CHECKING:
    from svctrack.storage.journal import Journal
    from svctrack.usecases.tracker import Tracker


ARGV = "svctrack.argv"  # where the root context keeps the command line (ctx.meta)


def pick_lang(flag: str | None, workspace: Any = None) -> str:
    """The user's language (docs/languages.md): --lang, SVCTRACK_LANG, the user config's
    `lang`, the workspace's (`workspace`: a function that finds it, asked only if needed),
    the locale, then English. Also for a failure before any workspace was opened."""
    from svctrack.messages import LANGS
    from svctrack.messages import pick_lang as first
    from svctrack.storage.userconfig import user_config

    env = os.environ.get("SVCTRACK_LANG", "").strip() or None
    if flag in LANGS or env in LANGS:
        return first(flag, env)
    try:
        user = str(user_config().get("lang", "")) or None
    except (SvcError, OSError):
        user = None
    if user:
        return first(None, None, user)
    return first(None, None, None, workspace() if workspace else None)


@record
class State:
    """What the global options say, and what is opened lazily from them."""

    workspace: str | None = None
    lang_flag: str | None = None
    color: bool = True
    use_cache: bool = True
    commit: bool | None = None  # --commit/--no-commit; None: SVCTRACK_COMMIT, then the configs
    messages: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    argv: list[str] = field(default_factory=list)  # the command line, less the program's name
    journal: bool = True  # record each write for `undo` (undo itself does not)
    json: bool = False  # the command prints JSON (--json): no progress bar then
    bar: Any = field(default=None, repr=False)  # the progress bar (output.progress.Bar)

    @property
    def command(self) -> str:
        """The command line as typed, less `-C PATH` (the journal is the workspace's own)."""
        import shlex

        words, rest = [], list(self.argv)
        while rest and rest[0].startswith("-"):
            word = rest.pop(0)
            if word in ("-C", "--workspace") and rest:
                rest.pop(0)
            elif not word.startswith("--workspace="):
                words.append(word)
        return shlex.join(["svctrack", *words, *rest])

    @cached_property
    def tracker(self) -> Tracker:
        from svctrack.usecases.tracker import Tracker

        tracker = Tracker.open(self.workspace, use_cache=self.use_cache)
        tracker.store.hold = self._commits  # a write then keeps the lock until it is committed
        tracker.progress = self._reading
        if self.journal:
            tracker.store.journal_maker = self._journal
        return tracker

    def next_command(self, argv: list[str]) -> None:
        """Start another command of this run (a line of `batch`): its own command line, undo
        entry, commit message and list of files written; the tracker and the lock it holds go
        on."""
        self.argv = argv
        self.messages = []
        self.journal = True
        self.json = False
        self.close_bar()
        if "tracker" in self.__dict__:
            store = self.tracker.store
            store.written = []
            store.journal, store.journal_maker = None, self._journal  # made at the line's write

    def progress(self, what: str) -> Callable[[int, int], None] | None:
        """For a use case's long work (`what`: "checking_files", a label of `output/i18n.py`'s
        `progress_...`), a callable told `(done, total)` that draws a progress bar once the work
        has taken a second; None when nobody watches: stderr is not a terminal, or the output is
        JSON."""
        bar = self._bar()
        return None if bar is None else partial(bar.tick, self._doing(what))

    def _doing(self, what: str) -> str:
        """A bar's label in the person's language: `reading files`, «чтение файлов»."""
        from svctrack.output.i18n import word

        return word(f"progress_{what}", self.lang)

    def _reading(self, done: int, total: int) -> None:
        """The tracker's reads of many files (a cold cache, a report over years)."""
        bar = self._bar()
        if bar is not None:
            bar.tick(self._doing("reading_files"), done, total, background=True)

    def _bar(self) -> Any:
        """The one progress bar of this command (made when first asked), or None."""
        if self.json or not sys.stderr.isatty():
            return None
        if self.bar is None:
            from svctrack.output.progress import Bar  # rich itself only once a bar shows

            self.bar = Bar(color=self.color and not os.environ.get("NO_COLOR"))
        return self.bar

    def close_bar(self) -> None:
        """Take the progress bar off the terminal (before the output, or an error line)."""
        bar, self.bar = self.bar, None
        if bar is not None:
            bar.close()

    def _journal(self) -> Journal:
        """The undo journal of this run's workspace (imported at the first write only)."""
        from svctrack.storage.journal import Journal

        return Journal(self.tracker.root, self.command)

    def _commits(self) -> bool:
        """Whether this run commits what it writes (asked once, when it first takes the lock)."""
        from svctrack.git.wanted import commit_wanted

        try:
            return commit_wanted(self.commit, self.tracker.config)
        except SvcError:
            return False

    @cached_property
    def lang(self) -> str:
        """The language of labels and messages: --lang, SVCTRACK_LANG, the user config's
        `lang`, the workspace's `lang`, the locale, then English (docs/languages.md)."""
        return pick_lang(self.lang_flag, self._workspace_lang)

    @cached_property
    def export_lang(self) -> str:
        """The language of what is written for others (client report, site, calendar): --lang,
        else the workspace's `lang`, never one person's preference."""
        return self.lang_flag or self._workspace_lang() or "en"

    def _workspace_lang(self) -> str | None:
        try:  # labels never stop a command: a broken file is reported by the command itself
            return str(self.tracker.config.get("lang", "")) or None
        except SvcError:
            return None

    @cached_property
    def out(self) -> Any:
        from rich.console import Console

        no_color = not self.color or bool(os.environ.get("NO_COLOR"))
        return Console(
            highlight=False, markup=False, emoji=False, no_color=no_color, soft_wrap=False
        )

    @property
    def width(self) -> int:
        return self.out.size.width

    def print(self, *renderables: Any) -> None:
        """Print to the terminal; for a pipe or a file, without the spaces rich pads lines
        with (they would only trail in what scripts grep and files keep)."""
        self.close_bar()
        if self.out.is_terminal:
            self.out.print(*renderables)
            return
        with self.out.capture() as captured:
            self.out.print(*renderables)
        text = "\n".join(line.rstrip() for line in captured.get().split("\n"))
        self.out.file.write(text)

    def say(self, line: str, *, err: bool = False) -> None:
        """A line for the person, in their language: a catalogue message rendered, plain text
        as it is. Commit messages (`changed`) stay in English, as files and JSON do."""
        from svctrack.messages import say

        typer.echo(say(line, self.lang), err=err)

    def changed(self, message: str, why: str = "") -> None:
        """Describe what a write command did, for the commit message: a short `why` goes in
        brackets (`acme: execution → control (client approved)`), a long one in the body."""
        why = why.strip()
        if why and "\n" not in why and len(message) + len(why) <= 69:
            message = f"{message} ({why})"
        elif why:
            message = f"{message}\n\n{why}"
        self.messages.append(message)

    def commit_changes(self) -> None:
        """Commit the files this command wrote, when --commit or the configs ask for it, while
        the workspace lock is still held: another process's write cannot slip into this commit,
        and every write gets a commit of its own."""
        if "tracker" not in self.__dict__ or not self.tracker.store.written:
            return
        from svctrack.git.wanted import commit_wanted

        if commit_wanted(self.commit, self.tracker.config):
            from svctrack.git.commit import commit_change

            sha, subject = commit_change(self.tracker.store, self.messages)
            if sha:
                from svctrack.messages import msg

                self.say(msg("committed", sha=sha, subject=subject), err=True)

    def close(self) -> None:
        """The end of a run: progress bars taken off, the lock let go if a write still holds
        it."""
        self.close_bar()
        self.release()

    def release(self) -> None:
        """Let go of the workspace lock, if a write of this run still holds it."""
        if "tracker" in self.__dict__:
            self.tracker.store.release()


def current_lang(workspace: Any = None) -> str:
    """The language of this run, for code that has no State at hand (`config`, `init`, the
    notices of `options.say`); `workspace()`, if given, names the workspace's language (`init`,
    before the workspace can be found)."""
    import click

    ctx = click.get_current_context(silent=True)
    root = ctx.find_root().obj if ctx else None
    if isinstance(root, State) and workspace is None:
        return root.lang
    return pick_lang(root.lang_flag if isinstance(root, State) else None, workspace)


def speak(line: str, *, err: bool = False, workspace: Any = None) -> None:
    """A line in the user's language from a command that opens no workspace (`config`,
    `init`)."""
    from svctrack.messages import say

    typer.echo(say(line, current_lang(workspace)), err=err)


def state(ctx: typer.Context) -> State:
    return ctx.ensure_object(State)
