"""The plain type aliases of the wire forms, shared by the pydantic models and the wire records (no pydantic here)."""

from __future__ import annotations

from typing import Any, Literal

from policysim.context import ContextScalar

Doc = Any  # a policy document written inline, or {"file": "relative/path.json"}
Names = list[str]
Tags = dict[str, str]
ContextValue = ContextScalar | list[ContextScalar] | None
ConditionScalar = ContextScalar  # a condition value in a policy: the same scalars
Expectation = Literal["allowed", "denied", "explicitDeny", "implicitDeny", "undetermined"]
FailOnLevel = Literal["new-access", "any-change", "never"]  # the values of enums.FailOn; a test keeps them equal
