"""The CI gate over an access diff: which changes are accepted, which fail the build.

`Gate` takes changes one at a time, as the exploration finds them (`compare.explore_into`), keeps the rows in a
`RowStore` (bounded memory: rows.py) and counts what the reports' headers need; `judge` does the same for
explorations whose changes are already listed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from policysim.enums import ChangeKind, FailOn

from .accept import Acceptance
from .compare import Change, Exploration, may_widen
from .rows import Row, RowStore

__all__ = ["DiffResult", "Gate", "Row", "exploration_file", "judge"]


@dataclass(frozen=True)
class Tally:
    """What the rows add up to: how many of each kind, accepted, and failing the gate."""

    kinds: Counter[ChangeKind] = field(default_factory=Counter)
    accepted: int = 0
    failing: int = 0


@dataclass(frozen=True)
class DiffResult:
    """Everything a diff report shows; `rows` can be read as often as needed, in report order."""

    base: str
    new: str
    explorations: tuple[Exploration, ...]
    rows: Iterable[Row]
    unused: tuple[Acceptance, ...]
    fail_on: FailOn
    tally: Tally

    @property
    def failing(self) -> tuple[Row, ...]:
        """The rows that fail the gate: not accepted, and of a kind `fail_on` names."""
        return tuple(r for r in self.rows if fails(r, self.fail_on))

    @property
    def passed(self) -> bool:
        """Did the gate pass?"""
        return self.tally.failing == 0

    def count(self, kind: ChangeKind) -> int:
        """How many rows are of this kind."""
        return self.tally.kinds[kind]


def fails(row: Row, fail_on: FailOn) -> bool:
    """Does a row fail the gate: not accepted, and of a kind `fail_on` names?"""
    if fail_on is FailOn.NEVER or row.accepted is not None:
        return False
    return fail_on is FailOn.ANY_CHANGE or may_widen(row.change)


class Gate:
    """Matches each change against the accept entries as it comes, keeps its row and counts it."""

    def __init__(self, acceptances: Sequence[Acceptance], fail_on: FailOn, store: RowStore | None = None) -> None:
        self.acceptances = acceptances
        self.fail_on = fail_on
        self.rows = store if store is not None else RowStore()
        self._used: set[int] = set()
        self._kinds: Counter[ChangeKind] = Counter()
        self._accepted = 0
        self._failing = 0

    def add(self, change: Change, file: str) -> None:
        """One change found in `file` (as reported)."""
        entry = next((i for i, a in enumerate(self.acceptances) if a.covers(change, file)), None)
        if entry is not None:
            self._used.add(entry)
            self._accepted += 1
        row = Row(change, file, self.acceptances[entry] if entry is not None else None)
        self._kinds[change.kind] += 1
        self._failing += fails(row, self.fail_on)
        self.rows.add(row)

    def result(self, base: str, new: str, explorations: Sequence[Exploration]) -> DiffResult:
        """The result so far, over the explorations whose changes were added."""
        unused = tuple(a for i, a in enumerate(self.acceptances) if i not in self._used)
        tally = Tally(Counter(self._kinds), self._accepted, self._failing)
        return DiffResult(base, new, tuple(explorations), self.rows, unused, self.fail_on, tally)


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
    """Match every change of the explorations against the accept entries and apply the gate."""
    gate = Gate(acceptances, fail_on)
    for exploration in explorations:
        file = exploration_file(exploration)
        for change in exploration.changes:
            gate.add(change, file)
    return gate.result(base, new, explorations)
