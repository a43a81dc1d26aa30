"""Outcomes across processes: a worker forked from this process sends back an outcome's policies and statement
references as references to the objects both processes hold, and its own objects in their shortest form.

An outcome records the policies it was evaluated with; pickled by value, every outcome would carry (and the parent
would rebuild) every compiled statement and condition of them. The parent lists the model's compiled policies
before it forks (`World.compiled_policies`); a worker inherits the list, so such a policy (and each of its
statements' references) is the same object at the same address in both, and crosses as that address. Policies the
worker compiled itself (a request's session policy) cross by value. The outcome's own frozen records cross as
their constructor's arguments, which load several times faster than pickle's generic state.
"""

from __future__ import annotations

import copyreg
import dataclasses
import gc
import io
import operator
import pickle
from collections.abc import Callable, Iterable
from typing import Any

from policysim.compiled import CompiledPolicy, StatementRef, Unknown
from policysim.context import DeferredContext, RequestContext
from policysim.engine.outcome import Outcome, Reason
from policysim.engine.policies import PolicySet
from policysim.engine.scan import Findings
from policysim.records import slot_loader
from policysim.request import Principal, Request

Reduced = tuple[Callable[..., Any], tuple[Any, ...]]
_SHARED: dict[int, object] = {}  # the objects of the `SharedPolicies` in use, by address (set only around it)
_LOADERS: dict[str, Callable[..., Any]] = {}  # the slotted records' loaders, by module and class name


def _shared(address: int) -> object:
    return _SHARED[address]


def _findings(allows: list[StatementRef], denies: list[StatementRef], best: Any) -> Findings:
    found = Findings()
    found.allows, found.denies, found.best_match = allows, denies, best
    return found


def _context(values: dict[str, tuple[str, ...]]) -> RequestContext:
    return RequestContext.owning(values)  # the dict is the loaded pickle's own


def _load(name: str, *values: Any) -> Any:
    return _LOADERS[name](*values)


def _by_fields(cls: type) -> Callable[[Any], Reduced]:
    """A reducer to `cls(*fields)` for a frozen dataclass (made through its slots, `records.slot_loader`, where it has
    them), or to the shared object where it is one."""
    every = dataclasses.fields(cls)
    names = [f.name for f in every if f.init]
    getter = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)  # a tuple
    slotted = "__slots__" in vars(cls) and all(f.init for f in every)  # the loader sets every field
    name = f"{cls.__module__}.{cls.__qualname__}"
    if slotted:
        _LOADERS[name] = slot_loader(cls)

    def reduce(obj: Any) -> Reduced:
        if id(obj) in _SHARED:
            return _shared, (id(obj),)
        return (_load, (name, *getter(obj))) if slotted else (cls, getter(obj))

    return reduce


def _shared_or_value(obj: Any) -> Reduced | str | tuple[Any, ...]:
    if id(obj) in _SHARED:
        return _shared, (id(obj),)
    return obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)  # type: ignore[no-any-return]


_TABLE: dict[type, Callable[[Any], Any]] = {
    **copyreg.dispatch_table,
    CompiledPolicy: _shared_or_value,
    StatementRef: _shared_or_value,
    **{cls: _by_fields(cls) for cls in (Outcome, Reason, Request, Principal, PolicySet, Unknown)},
    Findings: lambda found: (_findings, (found.allows, found.denies, found.best_match)),
    # its dict itself (a deferred context assembled here): iterating the mapping cost a third of sending an outcome
    **{cls: lambda context: (_context, (context._values,)) for cls in (RequestContext, DeferredContext)},
}


class SharedPolicies:
    """The compiled policies a forked worker shares with its parent: `dumps` in the worker, `loads` in the parent.
    Make it before the workers are forked; one at a time per process."""

    def __init__(self, policies: Iterable[CompiledPolicy]) -> None:
        self._objects: dict[int, object] = {}
        for policy in policies:
            self._objects[id(policy)] = policy
            self._objects.update((id(s.ref), s.ref) for s in policy.statements)

    def __enter__(self) -> SharedPolicies:
        _SHARED.update(self._objects)
        return self

    def __exit__(self, *_: object) -> None:
        _SHARED.clear()

    def dumps(self, value: object) -> bytes:
        """`value` pickled, its shared objects by address."""
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _TABLE
        pickler.dump(value)
        return buffer.getvalue()

    def loads(self, data: bytes) -> object:
        """What `dumps` pickled, with this process's own shared objects in place. The garbage collector waits while
        it loads: a batch is thousands of new objects in one go, none of them garbage, which would otherwise set off
        collections that walk the whole heap (they cost more than the loading itself)."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            return pickle.loads(data)
        finally:
            if collecting:
                gc.enable()
