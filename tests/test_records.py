"""`record` is `dataclass` with its __repr__, __eq__ and __hash__ written once: each behaves as
dataclass's own does, for a frozen record and an unfrozen one."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, asdict, dataclass, field, replace
from typing import Any

import pytest

from svctrack.records import record


@record(frozen=True)
class Mark:
    id: str
    weight: float = 0.0
    note: list[str] = field(default_factory=list, compare=False, repr=False, hash=False)


@record(frozen=True)
class Heavy(Mark):
    extra: int = 0


@record
class Entry:
    id: str
    parts: list[Any] = field(default_factory=list)


@record
class Single:
    value: float


@record
class Empty:
    pass


@dataclass(frozen=True)
class DMark:
    id: str
    weight: float = 0.0
    note: list[str] = field(default_factory=list, compare=False, repr=False, hash=False)


@dataclass
class DEntry:
    id: str
    parts: list[Any] = field(default_factory=list)


def shown(value: Any) -> str:
    return repr(value).split("(", 1)[1]


def test_repr_is_dataclasss() -> None:
    assert repr(Mark("a", 1.5, ["x"])) == "Mark(id='a', weight=1.5)"
    assert shown(Mark("a", 1.5)) == shown(DMark("a", 1.5))
    assert shown(Entry("e", [1, "two"])) == shown(DEntry("e", [1, "two"]))
    assert repr(Heavy("h", extra=2)) == "Heavy(id='h', weight=0.0, extra=2)"
    assert repr(Empty()) == "Empty()"
    looped = Entry("loop")
    looped.parts.append(looped)
    assert repr(looped) == "Entry(id='loop', parts=[...])"


def test_equality_is_dataclasss() -> None:
    assert Mark("a", 1.0, ["x"]) == Mark("a", 1.0, ["y"])  # `note` is not compared
    assert Mark("a", 1.0) != Mark("a", 2.0)
    assert Mark("a") != Heavy("a")  # another class, even a subclass, is never equal
    assert Mark("a") != ("a", 0.0)
    assert Entry("e", [1]) == Entry("e", [1]) and Entry("e", [1]) != Entry("e", [2])
    assert Empty() == Empty()
    nan = float("nan")
    assert Single(nan) == Single(nan)  # compared as tuples: the very same object is equal
    assert (Single(nan) == Single(float("nan"))) is False


def test_a_frozen_record_hashes_its_compared_fields_and_refuses_changes() -> None:
    assert hash(Mark("a", 1.0, ["x"])) == hash(Mark("a", 1.0, ["y"]))
    assert len({Mark("a"), Mark("a"), Mark("b")}) == 2
    with pytest.raises(FrozenInstanceError):
        Mark("a").id = "b"  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(Entry("e"))  # an unfrozen record is unhashable, as an unfrozen dataclass is


def test_a_record_is_a_dataclass() -> None:
    mark = Heavy("h", 2.0, extra=3)
    assert replace(mark, extra=4) == Heavy("h", 2.0, extra=4)
    assert asdict(Entry("e", [1])) == {"id": "e", "parts": [1]}
    assert pickle.loads(pickle.dumps(mark)) == mark
    assert Mark.__match_args__ == ("id", "weight", "note")
