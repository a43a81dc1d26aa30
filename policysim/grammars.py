"""The lark grammars of policysim, loaded once by name.

The `.lark` files live in the repository's top-level `grammars/` folder; the wheel ships them as
`policysim/grammars/` (pyproject force-include). Both places are tried, the installed one first.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import lark

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def grammar_dirs() -> tuple[Path, ...]:
    """Where grammars are looked for, in order."""
    here = Path(__file__).resolve().parent  # the package folder, found without importing the package
    return here / "grammars", here.parent / "grammars"


def grammar_path(name: str) -> Path:
    """The file of grammar `name` (`arn` -> `arn.lark`)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"invalid grammar name `{name}`")
    for folder in grammar_dirs():
        path = folder / f"{name}.lark"
        if path.is_file():
            return path
    raise FileNotFoundError(f"grammar `{name}` not found in {', '.join(str(d) for d in grammar_dirs())}")


@functools.cache
def load_grammar(name: str) -> lark.Lark:
    """A cached LALR parser (contextual lexer) for grammar `name`."""
    text = grammar_path(name).read_text(encoding="utf-8")
    return lark.Lark(text, parser="lalr", lexer="contextual", maybe_placeholders=True)
