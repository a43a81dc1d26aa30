"""The lark grammars of policysim, loaded once by name.

The `.lark` files live in the repository's top-level `grammars/` folder; the wheel ships them as
`policysim/grammars/` (pyproject force-include). Both places are tried, the installed one first.

The `.lark` file is the specification. Beside each `NAME.lark` is `NAME.lalr`, its LALR parse tables, built at
release time so that no start-up builds them: `python -m policysim.grammars` writes them (lark's `Lark.save`, after
a one-line JSON header) and `load_grammar` reads them (`Lark.load`). The header records what the tables were built
from: the grammar's text, the lark version and the parser options. When any of them differs (a grammar edited and
not regenerated, another lark installed) the tables are not used and the grammar is built from its `.lark` file as
before; tests/cli/test_grammar_tables.py fails until the tables are regenerated and equal a fresh build.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import lark

_NAME = re.compile(r"[a-z][a-z0-9_]*")

# The parser every grammar is built with.
OPTIONS: dict[str, Any] = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": True}
TABLES_SUFFIX = ".lalr"


def grammar_dirs() -> tuple[Path, ...]:
    """Where grammars are looked for, in order."""
    here = Path(__file__).resolve().parent  # the package folder, found without importing the package
    return here / "grammars", here.parent / "grammars"


def grammar_folder() -> Path:
    """The first of `grammar_dirs` that holds grammars (the installed one, else the repository's)."""
    for folder in grammar_dirs():
        if any(folder.glob("*.lark")):
            return folder
    raise FileNotFoundError(f"no grammar in {', '.join(str(d) for d in grammar_dirs())}")


def grammar_path(name: str) -> Path:
    """The file of grammar `name` (`arn` -> `arn.lark`)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"invalid grammar name `{name}`")
    for folder in grammar_dirs():
        path = folder / f"{name}.lark"
        if path.is_file():
            return path
    raise FileNotFoundError(f"grammar `{name}` not found in {', '.join(str(d) for d in grammar_dirs())}")


def tables_path(grammar: Path) -> Path:
    """The parse tables shipped beside a grammar file (`arn.lark` -> `arn.lalr`)."""
    return grammar.with_suffix(TABLES_SUFFIX)


@functools.cache
def load_grammar(name: str) -> lark.Lark:
    """A cached LALR parser (contextual lexer) for grammar `name`, from its shipped tables when they are current.

    lark is imported here, not with this module: the hot paths parse with the grammars' fast paths and reach a
    grammar only for what those decline (and to word an error)."""
    path = grammar_path(name)
    text = path.read_text(encoding="utf-8")
    parser = load_tables(tables_path(path), text)
    return parser if parser is not None else build_grammar(text)


def build_grammar(text: str) -> lark.Lark:
    """Build the parser of a grammar's text (what the shipped tables save)."""
    import lark

    return lark.Lark(text, **OPTIONS)


def tables_header(text: str) -> dict[str, Any]:
    """What tables built from grammar `text` record: the text, the lark version and the options."""
    import lark

    return {"grammar": text, "lark": lark.__version__, "options": OPTIONS}


def load_tables(tables: Path, text: str) -> lark.Lark | None:
    """The parser saved in `tables` when they were built from `text` by this lark with `OPTIONS`, else None."""
    import lark

    try:
        with tables.open("rb") as file:
            if json.loads(file.readline()) != tables_header(text):
                return None
            return lark.Lark.load(file)
    except FileNotFoundError:
        return None


def write_tables(grammar: Path) -> Path:
    """Build the grammar in file `grammar` and save its tables beside it; the path written."""
    text = grammar.read_text(encoding="utf-8")
    target = tables_path(grammar)
    with target.open("wb") as file:
        file.write(json.dumps(tables_header(text), sort_keys=True).encode("ascii") + b"\n")
        build_grammar(text).save(file)
    return target


def main(argv: list[str]) -> int:
    """`python -m policysim.grammars [FOLDER]`: regenerate the tables of every grammar in FOLDER (by default
    `grammar_folder()`: in a checkout, the repository's `grammars/`). Run after editing a `.lark` file or upgrading
    lark, and commit the `.lalr` files with it."""
    folder = Path(argv[0]) if argv else grammar_folder()
    grammars = sorted(folder.glob("*.lark"))
    if not grammars:
        print(f"no .lark grammar in {folder}", file=sys.stderr)
        return 2
    for grammar in grammars:
        print(f"wrote {write_tables(grammar)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
