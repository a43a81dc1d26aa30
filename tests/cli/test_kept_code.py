"""The kept code of the records (policysim/kept_code): complete, installed first, and what compiling gives.

Run `python -m policysim.kept_code.refresh` when these fail after a record changes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

from policysim.kept_code import TABLES, kept_exec, load_table
from policysim.kept_code.refresh import CHECK, definition
from policysim.records import FAST_INIT

KEPT_FOR = (3, 11)  # the table holds the texts Python 3.11's `dataclasses` writes; other versions compile their own
SCRIPT = """
import dataclasses, json, sys
from policysim.kept_code.refresh import collect
texts = collect()
made = [
    (f"{c.__module__}.{c.__qualname__}", c.__init__.__code__.co_filename)
    for m in list(sys.modules.values()) if getattr(m, "__name__", "").startswith("policysim")
    for c in vars(m).values()
    if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == m.__name__ and "__init__" in vars(c)
]
print(json.dumps({"texts": texts, "made": made}))
"""

pytestmark = pytest.mark.skipif(sys.version_info[:2] != KEPT_FOR, reason="the table is Python 3.11's")


@pytest.fixture(scope="module")
def imported() -> dict[str, list[object]]:
    """What a fresh interpreter that imports every policysim module compiled and made."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    found: dict[str, list[object]] = json.loads(done.stdout)
    return found


def test_every_text_compiled_for_a_record_is_kept(imported: dict[str, list[list[str]]]) -> None:
    table = load_table()
    missing = [text for _, text in imported["texts"] if definition(text) and text not in table]
    assert not missing, f"{len(missing)} texts are not kept: run `python -m policysim.kept_code.refresh`"


def test_a_plain_check_reads_the_first_table_only() -> None:
    """`table.py` holds the texts of the modules a plain check of the shipped scenarios imports, so that check never
    reads the second."""
    script = (
        "import contextlib, io, json, sys\nimport policysim.kept_code as kept\nfrom policysim.cli import main\n"
        f"sys.argv = ['policysim', *{CHECK!r}]\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n    main()\n"
        "print(json.dumps([kept._MORE, len(kept.SEEN)]))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    more, seen = json.loads(done.stdout)
    assert more == list(TABLES[1:]) and seen > 100, "run `python -m policysim.kept_code.refresh`"
    assert set(load_table(TABLES[:1])).isdisjoint(load_table(TABLES[1:]))


def test_every_record_is_made_from_the_kept_code(imported: dict[str, list[list[str]]]) -> None:
    """The `exec` is installed before any record is defined, so every record's `__init__` comes from the table (or
    from `records.fast_init`, for the few the hot path makes by the thousand)."""
    assert len(imported["made"]) > 100
    kept = tuple(f"kept_code/{table}.py" for table in TABLES)
    fast = [name for name, filename in imported["made"] if filename.startswith(FAST_INIT)]
    compiled = [name for name, filename in imported["made"] if not filename.endswith(kept) and name not in fast]
    assert not compiled
    assert sorted(fast) == ["policysim.engine.outcome.Outcome", "policysim.engine.outcome.Reason"]


def _same(kept: types.CodeType, fresh: types.CodeType) -> bool:
    """Equal code, but for where it was written (file name, line numbers)."""
    if kept.co_code != fresh.co_code or kept.co_names != fresh.co_names or kept.co_varnames != fresh.co_varnames:
        return False
    shape = (kept.co_flags, kept.co_argcount, kept.co_kwonlyargcount, kept.co_freevars, kept.co_cellvars)
    if shape != (fresh.co_flags, fresh.co_argcount, fresh.co_kwonlyargcount, fresh.co_freevars, fresh.co_cellvars):
        return False
    if len(kept.co_consts) != len(fresh.co_consts):
        return False
    for a, b in zip(kept.co_consts, fresh.co_consts, strict=True):
        if isinstance(a, types.CodeType) and isinstance(b, types.CodeType):
            if not _same(a, b):
                return False
        elif a != b or type(a) is not type(b):
            return False
    return True


def test_the_kept_code_is_what_compiling_the_text_gives() -> None:
    table = load_table()
    assert table
    for text, kept in table.items():
        fresh = compile(text, "<string>", "exec", dont_inherit=True).co_consts[0]
        assert isinstance(fresh, types.CodeType) and _same(kept, fresh), text


def test_other_execs_are_the_builtins() -> None:
    space: dict[str, object] = {"__name__": "elsewhere"}
    kept_exec("def f():\n return 1", space, space)
    assert callable(space["f"]) and space["f"]() == 1  # type: ignore[operator]
    assert definition("x = 1") is None
