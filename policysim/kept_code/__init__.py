"""Keep the code `dataclasses` compiles for policysim's records, so that no start compiles it again.

`@dataclass` writes the methods it adds (`__init__`, `__repr__`, `__eq__`, `__hash__`, a frozen class's
`__setattr__` and `__delattr__`) as source text and compiles that text with `exec` each time the class is made: at
every start, for every record. On Python 3.11 that is about a millisecond per class and most of what a record costs
to define; policysim defines about 150 (docs/performance.md, "Start-up"). The text depends only on the class's
fields and options, so its compiled form can be kept like any module's:

- `python -m policysim.kept_code.refresh` imports every policysim module in a fresh interpreter, collects each text
  `dataclasses` compiled for a class of policysim, and writes `table.py`, where each text is written out as itself;
  Python compiles that module once into its bytecode cache.
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
import dataclasses
import types
from typing import Any

_builtin_exec = builtins.exec
_PACKAGE = __name__.partition(".")[0]
SEEN: list[str] = []  # every text compiled for a policysim class in this process, in order (for the generator)


def _ours(globals_: object) -> bool:
    """Whether `globals_` is the namespace of a policysim module."""
    return isinstance(globals_, dict) and str(globals_.get("__name__", "")).partition(".")[0] == _PACKAGE


def load_table() -> dict[str, types.CodeType]:
    """The kept code by text (empty before the table is first generated)."""
    try:
        from policysim.kept_code.table import CODE
    except ImportError:
        return {}
    table: dict[str, types.CodeType] = CODE
    return table


_TABLE = load_table()


def kept_exec(source: Any, globals_: Any = None, locals_: Any = None, /) -> None:
    """`exec`, with the kept code for a text `dataclasses` compiles for a policysim class."""
    if isinstance(source, str) and _ours(globals_) and isinstance(locals_, dict):
        SEEN.append(source)
        code = _TABLE.get(source)
        if code is not None:  # the text is one `def`: bind the function it defines, as running it would
            locals_[code.co_name] = types.FunctionType(code, globals_)
            return
    _builtin_exec(source, globals_, locals_)


setattr(dataclasses, "exec", kept_exec)  # noqa: B010 - a module global, found by that module before the builtin
