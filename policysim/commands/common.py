"""What the sub-commands share: exit codes, errors, option parsing."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from policysim.context import ContextInput, ContextScalar
from policysim.errors import PolicysimError

if TYPE_CHECKING:
    from policysim.managed import ManagedPolicyLibrary

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3


def fail(message: str, code: int = EXIT_INPUT) -> NoReturn:
    """Print `policysim: error: message` and exit (2 by default)."""
    import typer  # here, so that a plain `check` (policysim/cli.py) imports typer only when it fails

    print(f"policysim: error: {message}", file=sys.stderr)
    raise typer.Exit(code)


def output_targets(
    formats: Sequence[str], outputs: Sequence[Path], known: Sequence[str]
) -> list[tuple[str, Path | None]]:
    """Pair each --format with its --output (None: standard output); refuse unknown formats and unpaired files."""
    for fmt in formats:
        if fmt not in known:
            fail(f"unknown format `{fmt}`; choose from {', '.join(known)}")
    if len(outputs) > len(formats):
        fail("more --output files than --format options")
    if len(formats) - len(outputs) > 1:
        fail("only one --format can go to standard output; give --output for the others")
    return [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)]


def write_output(text: str, target: Path | None) -> None:
    """Write a report to its file, or to standard output (ending with a newline)."""
    if target is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"cannot write `{target}`: {error.strerror or error}")


def input_error(error: PolicysimError) -> NoReturn:
    """Report an input error with its location and exit 2."""
    fail(error.render())


def library_option(path: Path | None) -> ManagedPolicyLibrary:
    """The built-in managed policy library, extended from a file when given."""
    from policysim.managed import ManagedPolicyLibrary

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


@contextmanager
def progress_bar(title: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal (standard error) fed `(done, total)`; nothing otherwise (or under CI)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(title, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
