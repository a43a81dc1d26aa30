"""The options of the commands that explore many requests (`diff`, `who-can`, `what-can`, `graph`): how the work is
spread, over this machine's processes (`--workers N`) or a Dask cluster (`--cluster ADDRESS`), contracts.md
section 8. Checked before any model is read."""

from __future__ import annotations

from typing import Annotated

import typer

from policysim.commands.common import fail

WorkersOption = Annotated[int | None, typer.Option(help="spread the work over this many processes (0: every core)")]
ClusterOption = Annotated[
    str | None,
    typer.Option(
        metavar="ADDRESS",
        help="run on the Dask cluster at ADDRESS (tcp://HOST:PORT, or local:N for N processes here), not with "
        "--workers; needs the extra `cluster`",
    ),
]


def check_spread_options(workers: int | None, cluster: str | None) -> None:
    """Refuse a negative `--workers`, both options together, and a malformed address (exit 2)."""
    from policysim.cluster.client import check_spread

    if workers is not None and workers < 0:
        fail(f"--workers must be 0 (every core) or more, got {workers}")
    check_spread(workers, cluster)
