"""The commands, one module per group; `COMMANDS` says where each lives, so that a run imports
only the module of its own command (the order is the order of `svctrack --help`)."""

_PACKAGE = "svctrack.cli.commands"


def _in(module: str, attr: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, f"{_PACKAGE}.{module}:{attr}")


COMMANDS: dict[str, str] = {
    **_in("setup", "app", "init", "schema"),
    **_in("items", "service", "service"),
    **_in("items", "engagement", "engagement"),
    **_in("config", "config", "config"),
    **_in("setup", "app", "completion"),
    **_in("lifecycle", "app", "advance", "rework", "cancel", "check", "uncheck", "set"),
    **_in("lifecycle", "app", "note", "feedback", "doc", "log"),
    **_in("mend", "app", "reopen", "rename", "delete", "undo"),
    **_in("views", "app", "status", "board", "deadlines", "show", "checklist", "validate"),
    **_in("search", "app", "find"),
    **_in("analysis", "app", "report", "timeline"),
    **_in("integrate", "app", "edit", "sync", "history", "merge-file"),
    **_in("export", "export", "export"),
    **_in("importing", "import_", "import"),
    **_in("batch", "app", "batch"),
}
