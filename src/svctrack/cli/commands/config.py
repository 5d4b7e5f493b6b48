"""The `config` group: read and change the user config file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from svctrack.cli.context import speak
from svctrack.cli.options import (
    HELP_PANEL_SETUP,
    JsonOpt,
    group,
    say,
)
from svctrack.errors import Refused, UsageError
from svctrack.messages import msg
from svctrack.storage.userconfig import USER_KEYS as CONFIG_KEYS

config = group(
    "config",
    HELP_PANEL_SETUP,
    "Read and change your user config file (workspace, user, lang, commit).",
)


# --- config ---------------------------------------------------------------------------------


def _check_key(key: str) -> None:
    if key not in CONFIG_KEYS:
        from svctrack.domain.fields import suggest

        meant = suggest(key, CONFIG_KEYS)
        raise UsageError(
            msg("unknown_config_key", key=repr(key), meant=meant, keys=", ".join(CONFIG_KEYS))
        )


def _config_value(key: str, value: str) -> Any:
    if key == "commit":
        word = value.strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise UsageError(msg("not_bool", key="commit", value=repr(value)))
    if key == "lang":
        from svctrack.domain.fields import parse_lang

        return parse_lang(value)
    if key == "workspace":
        from svctrack.storage.paths import CONFIG

        root = Path(value).expanduser().resolve()
        if not (root / CONFIG).is_file():
            raise Refused(
                msg("no_config_in", config=CONFIG, root=root), hint=msg("init_hint", path=value)
            )
        return str(root)
    if not value.strip():
        raise UsageError(msg("config_empty", key=key))
    return value


def _shown(value: Any) -> str:
    """A config value as the person reads it; the file is hand-editable, so made inert."""
    from svctrack.output.text import inert

    if isinstance(value, bool):
        return "true" if value else "false"
    return inert(str(value))


def _write_config(change: Any) -> None:
    import tomlkit

    from svctrack.storage.atomic import io_error, write_atomic
    from svctrack.storage.decode import decode
    from svctrack.storage.userconfig import user_config_path

    path = user_config_path()
    try:
        text = decode(path.read_bytes(), str(path))[0] if path.exists() else ""
        doc = tomlkit.parse(text)
    except OSError as exc:
        raise io_error(exc, str(path)) from None
    except tomlkit.exceptions.ParseError as exc:
        raise Refused(
            msg("config_invalid", path=path, reason=str(exc)), hint=msg("fix_or_remove")
        ) from None
    change(doc)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, tomlkit.dumps(doc).encode("utf-8"))
    except OSError as exc:
        raise io_error(exc, str(path)) from None


@config.command("get")
def config_get(
    key: Annotated[str, typer.Argument(metavar="KEY", help="workspace, user, lang or commit.")],
) -> None:
    """Print one key of the user config; exit 1 when it is not set.

    Example: svctrack config get user
    """
    from svctrack.storage.userconfig import user_config, user_config_path

    _check_key(key)
    config = user_config()
    if key not in config:
        raise Refused(
            msg("config_not_set", key=key, path=user_config_path()),
            hint=msg("config_not_set_hint", key=key),
        )
    typer.echo(_shown(config[key]))


@config.command("set")
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


@config.command("unset")
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
    speak(msg("config_unset", key=key))


@config.command("list")
def config_list(json_output: JsonOpt = False) -> None:
    """Show every key set in the user config.

    Example: svctrack config list --json
    """
    from svctrack.storage.userconfig import user_config

    config = user_config()
    if json_output:
        from svctrack.output import jsonout

        jsonout.emit(config)
        return
    if not config:
        say(msg("config_nothing"))
    for key, value in config.items():
        typer.echo(f"{key} = {_shown(value)}")


@config.command("path")
def config_path() -> None:
    """Print where the user config file is (it need not exist yet).

    Example: svctrack config path
    """
    from svctrack.storage.userconfig import user_config_path

    typer.echo(str(user_config_path()))
