"""Fixtures of the diff tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from diff_models import Model, write_model


@pytest.fixture
def model_files(tmp_path: Path) -> Callable[[Model, Model], tuple[Path, Path]]:
    """Write a base and a new model to files."""

    def write(base: Model, new: Model) -> tuple[Path, Path]:
        return write_model(tmp_path / "base.yaml", base), write_model(tmp_path / "new.yaml", new)

    return write
