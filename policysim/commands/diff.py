"""`policysim diff`: the access two versions of a model grant differently (work in progress)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the `diff` command to the app."""
