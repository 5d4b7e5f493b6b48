"""JSON output: exact numbers, json's own text for summaries, indented only on a terminal."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys

import pytest

from conftest import Workspace


@pytest.mark.parametrize(
    ("price", "written"),
    [
        ("450000", '"amount": 450000,'),
        ("0.30", '"amount": 0.3,'),
        ("1250.50", '"amount": 1250.5,'),
        ("999999999999999.999999", '"amount": 999999999999999.999999,'),  # the most there is
        ("0.123456", '"amount": 0.123456,'),
    ],
)
def test_amounts_keep_their_digits(firm: Workspace, price: str, written: str) -> None:
    firm.ok("set", "acme", "price", price)
    result = firm.ok("show", "acme", "--json")
    assert written in result.out
    result.json()  # still one valid document


def test_hours_sum_exactly(firm: Workspace) -> None:
    for hours in ("0.1", "0.2"):
        firm.ok("log", "acme", hours)
    shown = firm.ok("show", "acme", "--json")
    assert "0.30000000000000004" not in shown.out
    assert '"hours": 0.3' in shown.out


AWKWARD = [
    'Quote " and \\ backslash',
    "Tab\tand\nnew line",
    "ООО «Ромашка» (Казань)",
    "Rocket 🚀 and a \u2028 separator",
    "Bell \x07 and escape \x1b[31m",
]


@pytest.fixture
def awkward(firm: Workspace) -> Workspace:
    for n, text in enumerate(AWKWARD):
        firm.ok(
            "engagement", "new", f"x{n}", "--service", "audit", "--client", f"c{n}", "--due", "+1w"
        )
        firm.ok("set", f"x{n}", "name", text)
        firm.ok("set", f"x{n}", "client", text)
    firm.ok("cancel", "x0", "--note", "withdrawn")
    return firm


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("status", "--all"),
        ("engagement", "list", "--all"),
        ("service", "list"),
    ],
)
def test_summaries_are_written_as_json_itself_writes_them(
    awkward: Workspace, command: tuple[str, ...]
) -> None:
    """Summaries are built as text for speed; the text is json.dumps's own, byte for byte."""
    out = awkward.ok(*command, "--json").out
    document = json.loads(out)
    assert out == json.dumps(document, ensure_ascii=False) + "\n"
    rows = document if isinstance(document, list) else document["engagements"]
    names = {row["id"]: row["name"] for row in rows}
    clients = {row["id"]: row.get("client") for row in rows}
    for n, text in enumerate(AWKWARD):
        if f"x{n}" in names:
            assert names[f"x{n}"] == clients[f"x{n}"] == text


def test_json_is_indented_on_a_terminal(awkward: Workspace) -> None:
    piped = awkward.ok("engagement", "list", "--all", "--json").out
    controller, terminal = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "svctrack", "engagement", "list", "--all", "--json"],
            cwd=awkward.root,
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(terminal)
    shown = b""
    with contextlib.suppress(OSError):  # EIO: the terminal's other end is closed and drained
        while chunk := os.read(controller, 65536):
            shown += chunk
    os.close(controller)
    assert done.returncode == 0, done.stderr
    text = shown.decode("utf-8").replace("\r\n", "\n")
    assert text == json.dumps(json.loads(piped), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("count", [0, 1, 500, 501, 1201])
def test_long_lists_are_written_in_pieces_that_join_up(count: int) -> None:
    from datetime import date

    from svctrack.domain.queries import summary
    from svctrack.output import jsonout

    today = date(2026, 11, 26)
    rows = [
        summary(
            "engagement",
            f"e{n}",
            (
                f"E {n}",
                "execution",
                0.25,
                None,
                "",
                True,
                "s",
                "c",
                date(2026, 12, n % 28 + 1),
                (1, 0, 4),
                f"owner {n}",
                "online",
            ),
            today,
        )
        for n in range(count)
    ]
    pieces = list(jsonout.summaries(rows))
    assert len(pieces) <= 3 + 2 * (count // 500 + 1)
    assert json.loads("".join(pieces)) == [json.loads(jsonout.summary(r)) for r in rows]
