"""The layout is the architecture: imports flow one way, and no module imports in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import svctrack

PACKAGE = Path(svctrack.__file__).parent

# Lower layers know nothing of higher ones. Same rank: may not import each other.
LAYERS = {
    "errors": 0,
    "tomlparse": 0,
    "records": 0,
    "messages": 0,
    "domain": 1,
    "storage": 2,
    "output": 3,
    "usecases": 4,
    "git": 5,
    "cli": 6,
}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Every svctrack module `path` imports, lazy imports and TYPE_CHECKING ones included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for dotted in targets:
            target = dotted
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("svctrack"):
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, name, known) for name, path in known.items()}


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for module, targets in graph().items():
        here = layer(module)
        for target in targets:
            there = layer(target)
            if here is None or there is None:
                continue
            if there > here or (there == here and module.split(".")[1] != target.split(".")[1]):
                upward.append(f"{module} -> {target}")
    assert not upward, "imports against the layers:\n" + "\n".join(sorted(upward))


def test_no_import_circles() -> None:
    edges = graph()
    circles = set()

    def visit(module: str, path: list[str]) -> None:
        for target in edges.get(module, ()):
            if target in path:
                circle = path[path.index(target) :]
                start = circle.index(min(circle))
                circles.add(" -> ".join(circle[start:] + circle[:start]))
            elif len(path) < 12:
                visit(target, [*path, target])

    for module in edges:
        visit(module, [module])
    assert not circles, "import circles:\n" + "\n".join(sorted(circles))


def test_every_module_sits_in_a_layer() -> None:
    loose = [m for m in modules() if m.count(".") >= 1 and layer(m) is None]
    assert sorted(loose) == ["svctrack.__main__"]


def test_the_domain_knows_no_terminal_and_no_files() -> None:
    edges = graph()
    for module, path in modules().items():
        if layer(module) != LAYERS["domain"]:
            continue
        text = path.read_text(encoding="utf-8")
        for banned in ("import rich", "from rich", "import typer", "import click", "tomlkit"):
            assert banned not in text, f"{module} uses {banned}"
        assert not {t for t in edges[module] if layer(t) != LAYERS["domain"]} - {
            "svctrack.errors",
            "svctrack.messages",
            "svctrack.records",
            "svctrack.tomlparse",
        }
