"""`policysim who-can` and `policysim what-can`: questions over a model beyond one request (docs/queries.md).

Exit codes: 0 the question was answered (whatever the answer), 2 invalid input (the model, an unknown action or
service, a principal the model does not have, a malformed resource).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from policysim.commands.common import fail, library_option, progress_bar, write_output
from policysim.commands.spread import ClusterOption, WorkersOption, check_spread_options

QUERY_FORMATS = ("text", "json", "markdown")
FormatOption = Annotated[str, typer.Option("--format", "-f", help=f"one of {', '.join(QUERY_FORMATS)}")]
OutputOption = Annotated[Path | None, typer.Option("--output", "-o", help="write the answer to this file")]
ManagedOption = Annotated[
    Path | None, typer.Option(help="more AWS managed policies (get-account-authorization-details output)")
]
HopsOption = Annotated[int, typer.Option(help="the longest AssumeRole chain followed")]


def register(app: typer.Typer) -> None:
    """Add `who-can` and `what-can` to the app."""

    @app.command("who-can")
    def who_can(
        model: Annotated[Path, typer.Argument(help="the scenario file (its model; its tests name actions too)")],
        action: Annotated[str, typer.Option(help="service:Action, or a pattern (`s3:Put*`)")],
        resource: Annotated[str, typer.Option(help="resource ARN, a pattern (`arn:aws:s3:::logs-*/*`), or *")],
        format: FormatOption = "text",
        output: OutputOption = None,
        workers: Annotated[
            int | None, typer.Option(help="spread the callers over this many processes (0: every core)")
        ] = None,
        cluster: ClusterOption = None,
        max_hops: HopsOption = 5,
        managed_policies: ManagedOption = None,
    ) -> None:
        """Every principal allowed to do ACTION on RESOURCE, as itself or through the roles it can assume, each with
        its path and the statements that decide every hop."""
        _check(format, max_hops, workers, cluster)
        from policysim.queries.who_can import who_can as ask
        from policysim.report.queries import render_who_can
        from policysim.scenario.api import Scenario

        scenario = Scenario.load(model, library=library_option(managed_policies))
        with progress_bar("asking every caller") as progress:
            answer = ask(
                scenario, action, resource, max_hops=max_hops, workers=workers, cluster=cluster, progress=progress
            )
        write_output(render_who_can(answer, format), output)

    @app.command("what-can")
    def what_can(
        model: Annotated[Path, typer.Argument(help="the scenario file (its model; its tests name actions too)")],
        principal: Annotated[str, typer.Option(help="user or role name, principal ARN, service, or anonymous")],
        service: Annotated[str | None, typer.Option(help="only this service's actions (`s3`)")] = None,
        include_chains: Annotated[bool, typer.Option(help="also as every role session the principal reaches")] = False,
        format: FormatOption = "text",
        output: OutputOption = None,
        workers: WorkersOption = None,
        cluster: ClusterOption = None,
        max_hops: HopsOption = 5,
        managed_policies: ManagedOption = None,
    ) -> None:
        """Every action PRINCIPAL may do on the model's resources (and its resource types), grouped by service and
        access level, each with the statement that grants it."""
        _check(format, max_hops, workers, cluster)
        from policysim.queries.what_can import what_can as ask
        from policysim.report.queries import render_what_can
        from policysim.scenario.api import Scenario

        scenario = Scenario.load(model, library=library_option(managed_policies))
        with progress_bar("asking every action") as progress:
            answer = ask(
                scenario,
                principal,
                service=service,
                include_chains=include_chains,
                max_hops=max_hops,
                workers=workers,
                cluster=cluster,
                progress=progress,
            )
        write_output(render_what_can(answer, format), output)


def _check(format: str, max_hops: int, workers: int | None, cluster: str | None) -> None:
    if format not in QUERY_FORMATS:
        fail(f"unknown format `{format}`; choose from {', '.join(QUERY_FORMATS)}")
    if max_hops < 0:
        fail("--max-hops must be 0 or more")
    check_spread_options(workers, cluster)
