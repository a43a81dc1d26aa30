"""Keep the code `dataclasses` compiles for policysim's records, so that no start compiles it again.

`@dataclass` writes the methods it adds (`__init__`, `__repr__`, `__eq__`, `__hash__`, a frozen class's
`__setattr__` and `__delattr__`) as source text and compiles that text with `exec` each time the class is made: at
every start, for every record. On Python 3.11 that is about a millisecond per class and most of what a record costs
to define; policysim defines about 150 (docs/performance.md, "Start-up"). The text depends only on the class's
fields and options, so its compiled form can be kept like any module's:

- `python -m policysim.kept_code.refresh` imports every policysim module in a fresh interpreter, collects each text
  `dataclasses` compiled for a class of policysim, and writes it out as itself into one of two tables, which Python
  compiles once into its bytecode cache: `table.py` for the texts of the modules a plain `policysim check` of the
  shipped scenarios imports (read at every start), `table_more.py` for the rest (read on the first text `table.py`
  does not hold: a `diff`, a `validate`, an import).
- Importing this package (policysim's `__init__` does it first) sets an `exec` in the `dataclasses` module's
  namespace, which that module's calls find before the builtin. For a text the table holds, in the namespace of a
  policysim module, it makes the function the text defines from the kept code, with the same globals, into the
  same namespace: what the builtin would do, less the compiling. Every other call is the builtin's, unchanged.

The same text compiles to the same code, so the classes are the same either way; a table that is out of date (or
another Python's `dataclasses`, which writes other texts) costs time, never behaviour; tests/cli/test_kept_code.py
fails until the table is regenerated.
"""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import importlib
import types
from typing import Any

_builtin_exec = builtins.exec
_PACKAGE = __name__.partition(".")[0]
# (module, text): every text compiled for a policysim class in this process, in order (for the generator)
SEEN: list[tuple[str, str]] = []
# the texts of the modules a plain `policysim check` of the shipped scenarios imports, then every other module's
TABLES = ("table", "table_more")


def _module(globals_: object) -> str | None:
    """The name of the policysim module whose namespace `globals_` is, else None."""
    name = globals_.get("__name__") if isinstance(globals_, dict) else None
    return name if isinstance(name, str) and name.partition(".")[0] == _PACKAGE else None


def load_table(names: tuple[str, ...] = TABLES) -> dict[str, types.CodeType]:
    """The kept code by text, from the named tables (empty before the tables are first generated)."""
    table: dict[str, types.CodeType] = {}
    for name in names:
        with contextlib.suppress(ImportError):  # a table not generated yet
            table.update(importlib.import_module(f"{__name__}.{name}").CODE)
    return table


_TABLE = load_table(TABLES[:1])
_MORE: list[str] = list(TABLES[1:])  # read on the first text the first table does not hold


def kept_exec(source: Any, globals_: Any = None, locals_: Any = None, /) -> None:
    """`exec`, with the kept code for a text `dataclasses` compiles for a policysim class."""
    module = _module(globals_)
    if isinstance(source, str) and module is not None and isinstance(locals_, dict):
        SEEN.append((module, source))
        code = _TABLE.get(source)
        if code is None and _MORE:
            _TABLE.update(load_table((_MORE.pop(0),)))
            code = _TABLE.get(source)
        if code is not None:  # the text is one `def`: bind the function it defines, as running it would
            locals_[code.co_name] = types.FunctionType(code, globals_)
            return
    _builtin_exec(source, globals_, locals_)


setattr(dataclasses, "exec", kept_exec)  # noqa: B010 - a module global, found by that module before the builtin
