"""`policysim graph`: who can become whom, as a picture (docs/queries.md "graph")."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from policysim.commands.common import fail, library_option, write_output

if TYPE_CHECKING:
    from policysim.queries.graph import Progress

# The queries, the renderers and the scenario API are imported when `graph` runs.


def register(app: typer.Typer) -> None:
    """Add the `graph` command to the app."""
    app.command(name="graph")(graph)


def graph(
    model: Annotated[Path, typer.Argument(help="scenario file (with or without tests)")],
    to: Annotated[
        str | None, typer.Option(help="`admin`, or a user or role (name or ARN): who can reach it, by which path")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="mermaid (default), dot, svg, json, text or markdown")
    ] = "mermaid",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: standard output)")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="explore over this many processes (0: every core)")] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            metavar="ADDRESS",
            help="explore on the Dask cluster at ADDRESS (tcp://HOST:PORT, or local:N for N processes here), not "
            "with --workers; needs the extra `cluster`",
        ),
    ] = None,
    managed_policies: Annotated[Path | None, typer.Option(help="more AWS managed policies")] = None,
) -> None:
    """Draw who can become whom: AssumeRole and privilege-escalation edges, each labelled with its statements."""
    from policysim.cluster.client import check_spread
    from policysim.queries.graph_render import GRAPH_FORMATS, render_graph
    from policysim.scenario.api import Scenario

    if format not in GRAPH_FORMATS:
        fail(f"unknown format `{format}`; choose from {', '.join(GRAPH_FORMATS)}")
    if workers is not None and workers < 0:
        fail(f"--workers must be 0 (every core) or more, got {workers}")
    check_spread(workers, cluster)  # both, or a malformed address: refused before the model is read
    scenario = Scenario.load(model, library=library_option(managed_policies))
    with _progress_bar() as progress:
        result = scenario.graph(to=to, workers=workers, progress=progress, cluster=cluster)
    write_output(render_graph(format, result, str(model)), output)


@contextmanager
def _progress_bar() -> Iterator[Progress | None]:
    """A progress bar on a terminal (standard error), nothing otherwise (as `diff` shows one)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress as Bar

    with Bar(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("exploring callers", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
