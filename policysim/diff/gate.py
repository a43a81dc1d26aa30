"""The CI gate over an access diff: which changes are accepted, which fail the build."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policysim.enums import ChangeKind, FailOn

from .accept import Acceptance
from .compare import Change, Exploration, may_widen


@dataclass(frozen=True)
class Row:
    """A change found in one scenario file, and the accept entry that covers it, if any."""

    change: Change
    file: str
    accepted: Acceptance | None


@dataclass(frozen=True)
class DiffResult:
    """Everything a diff report shows."""

    base: str
    new: str
    explorations: tuple[Exploration, ...]
    rows: tuple[Row, ...]
    unused: tuple[Acceptance, ...]
    fail_on: FailOn

    @property
    def failing(self) -> tuple[Row, ...]:
        """The rows that fail the gate: not accepted, and of a kind `fail_on` names."""
        if self.fail_on is FailOn.NEVER:
            return ()
        return tuple(
            r
            for r in self.rows
            if r.accepted is None and (self.fail_on is FailOn.ANY_CHANGE or may_widen(r.change))
        )

    @property
    def passed(self) -> bool:
        """Did the gate pass?"""
        return not self.failing

    def count(self, kind: ChangeKind) -> int:
        """How many rows are of this kind."""
        return sum(1 for r in self.rows if r.change.kind is kind)


def exploration_file(exploration: Exploration) -> str:
    """The file a row is reported against: the new one, or the base one when the file was removed."""
    return exploration.new or exploration.base or "<none>"


def judge(
    base: str,
    new: str,
    explorations: Sequence[Exploration],
    acceptances: Sequence[Acceptance],
    fail_on: FailOn,
) -> DiffResult:
    """Match every change against the accept entries and apply the gate."""
    rows: list[Row] = []
    used: set[int] = set()
    for exploration in explorations:
        file = exploration_file(exploration)
        for change in exploration.changes:
            entry = next((i for i, a in enumerate(acceptances) if a.covers(change, file)), None)
            if entry is not None:
                used.add(entry)
            rows.append(Row(change, file, acceptances[entry] if entry is not None else None))
    unused = tuple(a for i, a in enumerate(acceptances) if i not in used)
    rows.sort(key=_row_order)
    return DiffResult(base, new, tuple(explorations), tuple(rows), unused, fail_on)


_KIND_ORDER = {
    ChangeKind.NEW_ACCESS: 0,
    ChangeKind.UNDETERMINED: 1,
    ChangeKind.REMOVED_ACCESS: 2,
    ChangeKind.DENY_CHANGED: 3,
}


def _row_order(row: Row) -> tuple[int, str, str, str, str, tuple[tuple[str, str], ...]]:
    """New access first, then removed, then denied differently; within a kind by file, caller, action, resource."""
    probe = row.change.probe
    return (
        _KIND_ORDER[row.change.kind],
        row.file,
        probe.caller.label,
        probe.action.name,
        probe.resource,
        probe.context,
    )
