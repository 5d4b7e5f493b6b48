"""Integration commands: edit, sync, history, config, completion, import csv, export csv."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from svctrack.cli.app import (
    HELP_PANEL_INTEGRATION,
    HELP_PANEL_SETUP,
    IdArg,
    JsonOpt,
    export_app,
    finish,
    import_app,
    state,
)
from svctrack.cli.app import root as app
from svctrack.errors import Refused, UsageError

CONFIG_KEYS = {
    "workspace": "the workspace used when none is found from here",
    "user": "your name in the history (else git's user.name)",
    "lang": "labels in en or ru when the workspace sets none",
    "commit": "true: commit each change to git, as --commit does",
}
KINDS = {"engagements": "engagement", "services": "service"}

config_app = typer.Typer(
    no_args_is_help=True,
    suggest_commands=False,
    help="Read and change your user config file (workspace, user, lang, commit).",
)
app.add_typer(config_app, name="config", rich_help_panel=HELP_PANEL_SETUP)


def _err(line: str) -> None:
    typer.echo(line, err=True)


# --- edit -----------------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_INTEGRATION)
def edit(ctx: typer.Context, item: IdArg) -> None:
    """Open an item's file in $VISUAL or $EDITOR; a valid result replaces it, an invalid one never.

    You edit a temporary copy. An invalid edit is shown with its errors and offered again (on a
    terminal; otherwise it is an error and the file stays as it was).

    Example: EDITOR=nano svctrack edit acme-audit
    """
    from svctrack.usecases import editing

    s = state(ctx)
    tracker = s.tracker
    kind, item_id = tracker.resolve(item)

    def show(found: list[Any]) -> None:
        for f in found:
            where = f.path + (f":{f.line}:{f.column or 1}" if f.line else "")
            _err(f"{where}: {f.severity}: {f.message}")

    def again() -> bool:
        return typer.confirm("Edit again?", default=True, err=True)

    outcome = editing.edit(tracker, kind, item_id, show=show, again=again)
    if not outcome.written:
        typer.echo(f"{item_id}: {outcome.reason}; nothing written")
        return
    keys = ", ".join(outcome.changed) or "formatting"
    typer.echo(f"{item_id}: saved ({keys})")
    s.changed(f"{item_id}: edited {keys}")


# --- git ------------------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_INTEGRATION)
def sync(
    ctx: typer.Context,
    *,
    resume: Annotated[
        bool, typer.Option("--continue", help="Go on after you resolved a conflict.")
    ] = False,
    abort: Annotated[
        bool, typer.Option("--abort", help="Give up a stopped sync: back to before the pull.")
    ] = False,
) -> None:
    """Share the workspace through git: pull with rebase, validate, push.

    A conflict in a svctrack file is explained item by item (which fields both sides changed),
    with the next step. Uncommitted changes must be committed first.

    Example: svctrack sync
    """
    from svctrack.git import ops as gitops
    from svctrack.usecases.validation import validate

    if resume and abort:
        raise UsageError("--continue and --abort exclude each other")
    tracker = state(ctx).tracker
    root = tracker.root
    if abort:
        gitops.abort(root)
        typer.echo("sync abandoned: back to where you were before the pull")
        return
    with tracker.store.locked():  # no svctrack write while git rewrites the files
        gitops.require_repo(root)
        where = gitops.target(root)
        try:
            if resume:
                gitops.resume(root)
                pulled = None
            else:
                pulled = gitops.sync(root).pulled
        except gitops.SyncConflict as exc:
            _explain(exc.conflicts, where)
            raise
        errors = [f for f in validate(tracker.store) if f.severity == "error"]
        if errors:
            for f in errors:
                line = f":{f.line}" if f.line else ""
                _err(f"{f.path}{line}: {f.message}")
            raise Refused(
                f"after the pull {len({f.path for f in errors})} file(s) are invalid;"
                " nothing was pushed",
                hint="fix them (`svctrack validate`), commit, then `svctrack sync` again",
            )
        pushed = gitops.push(root, where)
    got = "" if pulled is None else f"pulled {pulled}, "
    typer.echo(f"synced with {where}: {got}pushed {pushed} commit{'s' * (pushed != 1)}")


def _explain(conflicts: list[Any], where: str) -> None:
    for c in conflicts:
        if not c.kind:
            _err(f"conflict in {c.path} (not a svctrack file): resolve it as git shows it")
            continue
        what = "the workspace settings" if c.kind == "config" else f"{c.kind} {c.item_id}"
        _err(f"conflict in {c.path} ({what}):")
        for clash in c.both:
            yours, theirs = _value(clash.yours), _value(clash.theirs)
            _err(f"  both changed {clash.key}: yours {yours}, {where} has {theirs}")
        for name in c.added:
            _err(f"  both added [[{name}]] entries: keep both, oldest first")
        if c.unreadable:
            _err("  one side does not parse; compare them with `git diff`")
        if not c.both and not c.added and not c.unreadable:
            _err("  both changed neighbouring lines; keep both changes")
        if any(clash.key == "stage" for clash in c.both):
            _err("  keep one stage, and the [[history]] entries that lead to it")
    _err(
        "next: in each file keep the right lines between <<<<<<< and >>>>>>>, delete the markers,"
        " then `svctrack sync --continue`"
    )


def _value(value: Any) -> str:
    if isinstance(value, list | dict):
        return f"{len(value)} entries" if isinstance(value, list) else "a table"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@app.command(rich_help_panel=HELP_PANEL_INTEGRATION)
def history(ctx: typer.Context, item: IdArg, *, json_output: JsonOpt = False) -> None:
    """An item's story: its history entries merged with the git log of its file, oldest first.

    Example: svctrack history acme-audit
    """
    from svctrack.git import ops as gitops

    s = state(ctx)
    tracker = s.tracker
    kind, item_id = tracker.resolve(item)
    found = tracker.get(item_id, kind)
    rel = tracker.store.rel(tracker.store.path(kind, item_id))
    commits = gitops.log(tracker.root, rel)
    rows = _story(found, commits)
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit(rows)
        return
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for title in ("when", "who", "what", "commit"):
        table.add_column(title, overflow="fold", ratio=3 if title == "what" else None)
    for row in rows:
        when = row["at"].strftime("%Y-%m-%d %H:%M") if row["at"] else ""
        what = row["what"] + (f" — {row['note']}" if row["note"] else "")
        table.add_row(when, row["by"], what, row["commit"] or "")
    s.print(table)


def _story(item: Any, commits: list[Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for entry in item.history:
        if entry.source:
            what = f"{entry.source} → {entry.to}"
            if entry.forced:
                what += (
                    f" (forced past {', '.join(entry.skipped)})" if entry.skipped else " (forced)"
                )
        else:
            what = f"created at {entry.to}"
        rows.append(
            {
                "at": _aware(entry.at),
                "source": "history",
                "by": entry.by,
                "what": what,
                "note": entry.note,
                "commit": None,
            }
        )
    for commit in reversed(commits):  # oldest first, so that a stable sort keeps git's order
        twin = next(
            (
                r
                for r in rows
                if r["source"] == "history"
                and r["commit"] is None
                and r["at"] is not None
                and abs((r["at"] - commit.at).total_seconds()) < 600
                and _same(item.id, r["what"], commit.subject)
            ),
            None,
        )
        if twin is not None:
            twin["commit"] = commit.sha
            continue
        rows.append(
            {
                "at": commit.at,
                "source": "git",
                "by": commit.author,
                "what": commit.subject,
                "note": "",
                "commit": commit.sha,
            }
        )
    rows.sort(key=lambda r: (r["at"] is None, r["at"] or datetime.min.astimezone()))
    return rows


def _same(item_id: str, what: str, subject: str) -> bool:
    """Whether a commit message is the one svctrack wrote for this history entry."""
    if subject.startswith(f"{item_id}: new "):
        return what.startswith("created")
    return subject.startswith(f"{item_id}: {what.split(' (', 1)[0]}")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.astimezone()


# --- completion -----------------------------------------------------------------------------


@app.command(rich_help_panel=HELP_PANEL_SETUP)
def completion(
    shell: Annotated[str, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    """Print the shell completion script: ids, stages, gate items, fields and channels.

    bash: add `eval "$(svctrack completion bash)"` to ~/.bashrc;
    zsh: add `eval "$(svctrack completion zsh)"` to ~/.zshrc (after compinit);
    fish: svctrack completion fish > ~/.config/fish/completions/svctrack.fish

    Example: svctrack completion bash >> ~/.bashrc
    """
    from typer._completion_shared import get_completion_script

    if shell not in ("bash", "zsh", "fish"):
        raise UsageError(f"no completion for {shell!r}: use bash, zsh or fish")
    script = get_completion_script(
        prog_name="svctrack", complete_var="_SVCTRACK_COMPLETE", shell=shell
    )
    typer.echo(script.strip())


# --- config ---------------------------------------------------------------------------------


def _check_key(key: str) -> None:
    if key not in CONFIG_KEYS:
        from svctrack.domain.fields import suggest

        raise UsageError(
            f"unknown config key {key!r}{suggest(key, CONFIG_KEYS)}; keys: {', '.join(CONFIG_KEYS)}"
        )


def _config_value(key: str, value: str) -> Any:
    if key == "commit":
        word = value.strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise UsageError(f"commit: {value!r} is not true or false")
    if key == "lang":
        if value not in ("en", "ru"):
            raise UsageError("lang: use en or ru")
        return value
    if key == "workspace":
        from svctrack.storage.store import CONFIG

        root = Path(value).expanduser().resolve()
        if not (root / CONFIG).is_file():
            raise Refused(f"no {CONFIG} in {root}", hint=f"create one with `svctrack init {value}`")
        return str(root)
    if not value.strip():
        raise UsageError(f"{key}: empty; `svctrack config unset {key}` removes it")
    return value


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_config(change: Any) -> None:
    import tomlkit

    from svctrack.storage.store import decode, io_error, user_config_path, write_atomic

    path = user_config_path()
    try:
        text = decode(path.read_bytes(), str(path))[0] if path.exists() else ""
        doc = tomlkit.parse(text)
    except OSError as exc:
        raise io_error(exc, str(path)) from None
    except tomlkit.exceptions.ParseError as exc:
        raise Refused(f"{path}: invalid TOML ({exc})", hint="fix or remove the file") from None
    change(doc)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))
    except OSError as exc:
        raise io_error(exc, str(path)) from None


@config_app.command("get")
def config_get(
    key: Annotated[str, typer.Argument(metavar="KEY", help="workspace, user, lang or commit.")],
) -> None:
    """Print one key of the user config; exit 1 when it is not set.

    Example: svctrack config get user
    """
    from svctrack.storage.store import user_config, user_config_path

    _check_key(key)
    config = user_config()
    if key not in config:
        raise Refused(
            f"{key} is not set in {user_config_path()}",
            hint=f"set it with `svctrack config set {key} VALUE`",
        )
    typer.echo(_shown(config[key]))


@config_app.command("set")
def config_set(
    key: Annotated[str, typer.Argument(metavar="KEY", help="workspace, user, lang or commit.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The new value.")],
) -> None:
    """Set one key of the user config (comments and other keys in the file are kept).

    Example: svctrack config set workspace ~/firm
    """
    _check_key(key)
    parsed = _config_value(key, value)

    def change(doc: Any) -> None:
        doc[key] = parsed

    _write_config(change)
    typer.echo(f"{key} = {_shown(parsed)}")


@config_app.command("unset")
def config_unset(
    key: Annotated[str, typer.Argument(metavar="KEY", help="workspace, user, lang or commit.")],
) -> None:
    """Remove one key from the user config.

    Example: svctrack config unset workspace
    """
    _check_key(key)

    def change(doc: Any) -> None:
        if key in doc:
            del doc[key]

    _write_config(change)
    typer.echo(f"{key} unset")


@config_app.command("list")
def config_list(json_output: JsonOpt = False) -> None:
    """Show every key set in the user config.

    Example: svctrack config list --json
    """
    from svctrack.storage.store import user_config

    config = user_config()
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit(config)
        return
    if not config:
        _err("the user config sets nothing (see `svctrack config path`)")
    for key, value in config.items():
        typer.echo(f"{key} = {_shown(value)}")


@config_app.command("path")
def config_path() -> None:
    """Print where the user config file is (it need not exist yet).

    Example: svctrack config path
    """
    from svctrack.storage.store import user_config_path

    typer.echo(str(user_config_path()))


# --- CSV ------------------------------------------------------------------------------------

KindOpt = Annotated[
    str, typer.Option("--kind", "-k", help="engagements or services.", show_default=True)
]


def _kind(value: str) -> str:
    kind = KINDS.get(value) or (value if value in KINDS.values() else None)
    if kind is None:
        raise UsageError(f"--kind must be engagements or services, not {value!r}")
    return kind


@export_app.command("csv")
def export_csv(
    ctx: typer.Context,
    *,
    kind: KindOpt = "engagements",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to FILE (default: stdout).", show_default=False),
    ] = None,
    delimiter: Annotated[
        str, typer.Option(help="',' or ';' (Excel in Russian and German locales) or 'tab'.")
    ] = ",",
    bom: Annotated[
        bool | None,
        typer.Option(
            "--bom/--no-bom",
            help="Start with a UTF-8 BOM so Excel reads Cyrillic (default: on for -o FILE).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """One row per item with the summary fields, with a header: for spreadsheets.

    `svctrack import csv` reads the file back.

    Example: svctrack export csv --kind engagements -o engagements.csv
    """
    from svctrack.domain import dates
    from svctrack.usecases import csvio

    which = _kind(kind)
    sep = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
    if sep not in (",", ";", "\t"):
        raise UsageError("--delimiter must be ',', ';' or 'tab'")
    tracker = state(ctx).tracker
    loaded = tracker.load([which])
    rows = csvio.export(loaded.items, tracker.pipelines, dates.today(), which)
    text = csvio.dumps(rows, delimiter=sep, bom=bom if bom is not None else output is not None)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from svctrack.storage.store import io_error, write_atomic

        try:
            write_atomic(output.expanduser().resolve(), text.encode("utf-8"))
        except OSError as exc:
            raise io_error(exc, str(output)) from None
        _err(f"wrote {len(rows) - 1} {kind} to {output}")
    finish(loaded.broken)


@import_app.command("csv")
def import_csv(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The CSV file (a header row first).")
    ],
    *,
    kind: KindOpt = "engagements",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would be created; write nothing.")
    ] = False,
    encoding: Annotated[str, typer.Option(help="The file's encoding (cp1251 for old Excel).")] = (
        "utf-8"
    ),
) -> None:
    """Create items from a spreadsheet: columns mapped by header, every row checked first.

    Any invalid row stops the import before anything is written; each one is listed with its
    line. Headers: svctrack's field names (as `export csv` writes them) or common ones
    (Client/Клиент, Due/Срок, Price/Цена ...). Dates: YYYY-MM-DD or DD.MM.YYYY.

    Example: svctrack import csv clients.csv --kind engagements --dry-run
    """
    from svctrack.storage.store import io_error
    from svctrack.usecases import csvio

    which = _kind(kind)
    s = state(ctx)
    tracker = s.tracker
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise Refused(f"{file}: no such file") from None
    except OSError as exc:
        raise io_error(exc, str(file)) from None
    plan = csvio.plan(tracker, which, raw, str(file), encoding=encoding)
    if plan.ignored:
        _err(f"{file}: columns not imported: {', '.join(plan.ignored)}")
    if plan.problems:
        for line, message in plan.problems:
            _err(f"{file}:{line}: {message}")
        bad = len({line for line, _ in plan.problems})
        raise Refused(
            f"{bad} of {plan.rows} rows are invalid; nothing imported",
            hint="fix those lines and import again (--dry-run checks without writing)",
        )
    if not plan.items:
        _err(f"{file}: no rows to import")
        return
    verb = "would create" if dry_run else "created"
    if not dry_run:
        csvio.apply(tracker, plan)
    for entry in plan.items:
        f = entry.fields
        detail = f"{f['client']}, due {f['due']}" if which == "engagement" else f["name"]
        typer.echo(f"{verb} {which} {entry.item_id} ({entry.stage}): {detail}  [line {entry.line}]")
    if dry_run:
        _err(f"dry run: {len(plan.items)} {kind} would be created; nothing written")
    else:
        s.changed(f"import {len(plan.items)} {kind} from {file.name}")
