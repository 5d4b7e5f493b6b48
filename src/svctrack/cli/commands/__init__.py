"""The commands, grouped as in `svctrack --help`. A run imports only the module of its command:
Typer builds every registered command at start-up, and building all of them costs ~35 ms."""

from __future__ import annotations

from importlib import import_module

MODULES = ("setup", "lifecycle", "views", "analysis", "integrate")  # the help panels' order

COMMANDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("init", "service", "engagement"), ("setup",)),
    **dict.fromkeys(
        ("advance", "rework", "cancel", "check", "uncheck", "set", "note", "feedback", "log"),
        ("lifecycle",),
    ),
    **dict.fromkeys(("status", "deadlines", "show", "checklist", "validate"), ("views",)),
    **dict.fromkeys(("report", "timeline"), ("analysis",)),
    "export": ("analysis", "integrate"),
    **dict.fromkeys(("edit", "sync", "history", "completion", "config", "import"), ("integrate",)),
}


def load(command: str | None = None) -> None:
    """Register the commands on the app: those of `command`'s module, or (for help, completion
    and anything unknown, which click then answers with a suggestion) all of them."""
    for name in COMMANDS.get(command or "", MODULES):
        import_module(f"svctrack.cli.commands.{name}")
