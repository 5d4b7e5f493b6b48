"""JSON numbers are written from the exact decimal, whatever its size."""

from __future__ import annotations

import pytest

from conftest import Workspace


@pytest.mark.parametrize(
    ("price", "written"),
    [
        ("450000", '"amount": 450000,'),
        ("0.30", '"amount": 0.3,'),
        ("1250.50", '"amount": 1250.5,'),
        ("99999999999999999999999.99", '"amount": 99999999999999999999999.99,'),
        ("0.1234567890123456789", '"amount": 0.1234567890123456789,'),
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
