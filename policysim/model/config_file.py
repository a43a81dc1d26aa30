"""The wire form of the configuration (`.policysim.yaml`, `[tool.policysim]`): the same keys in both file kinds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from policysim.model.wire_types import FailOnLevel


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class SuppressionEntry(_Strict):
    """One `suppress` entry."""

    test: str
    file: str | None = None
    reason: str


class FindingSuppressionEntry(_Strict):
    """One `suppress_findings` entry (`policysim validate`)."""

    code: str
    file: str | None = None
    policy: str | None = None
    statement: str | None = None
    reason: str


class ConfigFile(_Strict):
    """The keys of `.policysim.yaml` and of `[tool.policysim]`."""

    paths: list[str] = []
    format: Any = None  # a string or a list of strings, checked by `_formats`
    managed_policies: str | None = None
    fail_on: FailOnLevel | None = None
    accept: str | None = None
    base_ref: str | None = None
    catalogue: str | None = None
    suppress: list[SuppressionEntry] = []
    suppress_findings: list[FindingSuppressionEntry] = []
