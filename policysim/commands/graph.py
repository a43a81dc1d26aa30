"""`policysim graph`: who can become whom, as a picture (docs/queries.md "graph")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from policysim.commands.common import fail, library_option, progress_bar, write_output
from policysim.commands.spread import ClusterOption, WorkersOption, check_spread_options

if TYPE_CHECKING:
    pass

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
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
    managed_policies: Annotated[Path | None, typer.Option(help="more AWS managed policies")] = None,
) -> None:
    """Draw who can become whom: AssumeRole and privilege-escalation edges, each labelled with its statements."""
    from policysim.queries.graph_render import GRAPH_FORMATS, render_graph
    from policysim.scenario.api import Scenario

    if format not in GRAPH_FORMATS:
        fail(f"unknown format `{format}`; choose from {', '.join(GRAPH_FORMATS)}")
    check_spread_options(workers, cluster)
    scenario = Scenario.load(model, library=library_option(managed_policies))
    with progress_bar("exploring callers") as progress:
        result = scenario.graph(to=to, workers=workers, progress=progress, cluster=cluster)
    write_output(render_graph(format, result, str(model)), output)
