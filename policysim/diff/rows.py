"""The changed rows of a diff in report order, in bounded memory.

Up to `limit` rows are held in memory; beyond that, they are sorted and written as a run to a temporary directory,
in pickled chunks, and reading merges the runs (as `sort` does with files larger than memory). The callers, action
classes, accept entries and statements rows point at are not written: a run names them by their place in the
store's table, so every row read back shares them, as the rows added did.
"""

from __future__ import annotations

import heapq
import io
import pickle
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import IO, Any

from policysim.compiled import StatementRef
from policysim.enums import ChangeKind
from policysim.space.actions import ActionClass
from policysim.space.callers import Caller

from .accept import Acceptance
from .compare import Change

ROWS_IN_MEMORY = 20_000
CHUNK = 512  # rows pickled together: a reader holds one chunk of each run

_KIND_ORDER = {
    ChangeKind.NEW_ACCESS: 0,
    ChangeKind.UNDETERMINED: 1,
    ChangeKind.REMOVED_ACCESS: 2,
    ChangeKind.DENY_CHANGED: 3,
}
RowKey = tuple[int, str, str, str, str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Row:
    """A change found in one scenario file, and the accept entry that covers it, if any."""

    change: Change
    file: str
    accepted: Acceptance | None


def row_order(row: Row) -> RowKey:
    """New access first, then undetermined, removed, then denied differently; within a kind by file, caller, action,
    resource and context."""
    probe = row.change.probe
    return (
        _KIND_ORDER[row.change.kind],
        row.file,
        probe.caller.label,
        probe.action.name,
        probe.resource,
        probe.context,
    )


class RowStore:
    """Rows added in any order, read back (as often as needed) in report order; `close` removes the runs."""

    def __init__(self, limit: int = ROWS_IN_MEMORY) -> None:
        self.limit = max(1, limit)
        self._held: list[Row] = []
        self._sorted = True
        self._runs: list[Path] = []
        self._directory: Path | None = None
        self._count = 0
        self._shared: list[object] = []  # callers, action classes and accept entries, by token
        self._tokens: dict[int, int] = {}
        self._constructors: dict[type, tuple[str, ...] | None] = {}
        self._cleanup: weakref.finalize[Any, RowStore] | None = None

    def __len__(self) -> int:
        return self._count

    def __enter__(self) -> RowStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(self, row: Row) -> None:
        """Keep a row; a full buffer is written out as a sorted run."""
        self._held.append(row)
        self._sorted = False
        self._count += 1
        if len(self._held) >= self.limit:
            self._spill()

    def __iter__(self) -> Iterator[Row]:
        if not self._sorted:
            self._held.sort(key=row_order)
            self._sorted = True
        if not self._runs:
            return iter(list(self._held))
        runs = [self._read(path) for path in self._runs]
        return heapq.merge(*runs, list(self._held), key=row_order)

    def close(self) -> None:
        """Remove the runs written so far (the rows held in memory stay readable)."""
        if self._cleanup is not None:
            self._cleanup()
        self._runs = []
        self._directory = None

    # -------------------------------------------------------------------------------------------- runs

    def _spill(self) -> None:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="policysim-diff-rows-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._directory, True)
        self._held.sort(key=row_order)
        path = self._directory / f"run{len(self._runs)}.pickle"
        with path.open("wb") as out:
            for start in range(0, len(self._held), CHUNK):
                _Pickler(out, self).dump(self._held[start : start + CHUNK])
        self._runs.append(path)
        self._held = []
        self._sorted = True

    def _read(self, path: Path) -> Iterator[Row]:
        with path.open("rb") as source:
            while True:
                try:
                    chunk: list[Row] = _Unpickler(source, self).load()
                except EOFError:
                    return
                yield from chunk

    def token(self, value: object) -> int:
        """The place of a shared value in the store's table (added on first use)."""
        found = self._tokens.get(id(value))
        if found is None:
            found = self._tokens[id(value)] = len(self._shared)
            self._shared.append(value)
        return found

    def shared(self, token: int) -> object:
        """The shared value at a place of the table."""
        return self._shared[token]

    def constructor_fields(self, kind: type) -> tuple[str, ...] | None:
        """For a dataclass with slots (an outcome, a reason) whose constructor takes every field in order: its
        fields, so that it is written as the arguments of its constructor (loading it field by field, as pickle does
        for slots, is several times slower). None for any other type."""
        if kind not in self._constructors:
            names = None
            if is_dataclass(kind) and hasattr(kind, "__slots__"):
                found = fields(kind)
                if all(f.init and not f.kw_only for f in found):
                    names = tuple(f.name for f in found)
            self._constructors[kind] = names
        return self._constructors[kind]


class _Pickler(pickle.Pickler):
    def __init__(self, out: IO[bytes], store: RowStore) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self._store = store

    def persistent_id(self, obj: object) -> int | None:
        if isinstance(obj, Caller | ActionClass | Acceptance | StatementRef | Enum):
            return self._store.token(obj)  # shared by many rows: kept in the store's table, not written
        return None

    def reducer_override(self, obj: object) -> Any:
        names = self._store.constructor_fields(type(obj))
        if names is None:
            return NotImplemented
        return type(obj), tuple(getattr(obj, name) for name in names)


class _Unpickler(pickle.Unpickler):
    def __init__(self, source: io.BufferedReader, store: RowStore) -> None:
        super().__init__(source)
        self._store = store

    def persistent_load(self, pid: int) -> object:
        return self._store.shared(pid)
