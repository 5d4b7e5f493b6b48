"""`record`: a dataclass whose __repr__, __eq__ and __hash__ are written once, here, instead of
being compiled for each class.

`dataclass` writes the source of each method it adds and compiles it, class by class: __init__,
__repr__ and __eq__, and for a frozen class __hash__, __setattr__ and __delattr__ too, 0.3 to
0.6 ms a class. Every write builds some twenty classes (an item and its entries, the pipelines,
the journal's entry, the store, the run's state) before it can start: a few milliseconds of
each write (issue 16). A `record` is a dataclass all the same (`fields`, `replace`, `asdict`,
pickling): its __init__, and a frozen one's __setattr__ and __delattr__, are dataclass's own;
its __repr__, __eq__ and __hash__ behave as dataclass's do. The repr is the class's qualified
name and the fields shown (`...` where it recurs); two records are equal when of the very same
class and their compared fields are, as tuples (dataclass's way up to Python 3.12); a frozen
record hashes those fields, an unfrozen one is unhashable.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__class__._shown)
    return f"{self.__class__.__qualname__}({shown})"


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    key = self.__class__._compared
    return key(self) == key(other)


def _hash(self: Any) -> int:
    return hash(self.__class__._hashed(self))


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields `names` of an object, as a tuple (what dataclass compares and hashes)."""
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, frozen: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: Any = None, /, *, frozen: bool = False) -> Any:
    """`@dataclass` or `@dataclass(frozen=True)`, with the shared methods above."""

    def make(cls: Any) -> Any:
        cls = dataclass(cls, frozen=frozen, repr=False, eq=False)
        every = fields(cls)
        cls._shown = tuple(f.name for f in every if f.repr)
        cls._compared = staticmethod(_key([f.name for f in every if f.compare]))
        hashed = [f.name for f in every if (f.compare if f.hash is None else f.hash)]
        cls._hashed = staticmethod(_key(hashed))
        cls.__repr__ = _repr
        cls.__eq__ = _eq
        cls.__hash__ = _hash if frozen else None
        return cls

    return make if cls is None else make(cls)
