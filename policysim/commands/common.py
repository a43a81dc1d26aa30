"""What the sub-commands share: exit codes, errors, option parsing."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import typer

from policysim.context import ContextInput, ContextScalar
from policysim.errors import PolicysimError
from policysim.managed import ManagedPolicyLibrary

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print `policysim: error: message` and exit (2 by default)."""
    print(f"policysim: error: {message}", file=sys.stderr)
    raise typer.Exit(code)


def input_error(error: PolicysimError) -> NoReturn:
    """Report an input error with its location and exit 2."""
    fail(error.render())


def library_option(path: Path | None) -> ManagedPolicyLibrary:
    """The built-in managed policy library, extended from a file when given."""
    library = ManagedPolicyLibrary.builtin()
    return library.with_file(path) if path is not None else library


def parse_context(items: list[str] | None) -> dict[str, ContextInput | None]:
    """`key=value` options into a context mapping; repeated keys make a list."""
    context: dict[str, ContextInput | None] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"context `{item}` must be written `key=value`")
        if key in context:
            previous = context[key]
            values: list[ContextScalar] = list(previous) if isinstance(previous, list | tuple) else [str(previous)]
            context[key] = [*values, value]
        else:
            context[key] = value
    return context
