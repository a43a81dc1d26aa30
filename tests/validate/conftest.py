"""Fixtures for the validate tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from validate_support import REPO


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run from the repository root, without a configuration from the environment, so file names are stable."""
    monkeypatch.chdir(REPO)
    monkeypatch.delenv("POLICYSIM_CONFIG", raising=False)
    yield
