"""What an importer gives the scenario loader: scenario data, its sources, its unknowns and its warnings.

The data has the shape of a scenario file's top-level `accounts:` and `organization:` keys (docs/scenario-format.md),
so the one validator and builder of scenarios reads it. Where the input cannot tell a value, the data holds an
unknown marker instead, never a placeholder string:

    {"unknown": {"reason": "the policy is known only after apply", "source": "plan.json: aws_iam_role_policy.app"}}

A marker may stand wherever a policy document (`inline_policies` values, `trust_policy`, `policies` values, bucket
and resource `policy`, `organization.policies` values) or a policy reference (`managed_policies`, `scps`, `rcps`
items, `permissions_boundary`) may stand. A request whose decision depends on one is `undetermined`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policysim.errors import Location

Path_ = tuple[str | int, ...]
UNKNOWN = "unknown"


def unknown(reason: str, source: str) -> dict[str, Any]:
    """The marker of a value the input cannot tell: why, and where (file:line:col, plan address, logical id)."""
    return {UNKNOWN: {"reason": reason, "source": source}}


def is_unknown(value: object) -> bool:
    """Is `value` an unknown marker?"""
    return isinstance(value, dict) and set(value) == {UNKNOWN} and isinstance(value[UNKNOWN], dict)


@dataclass(frozen=True)
class ImportWarning:
    """Something the input holds that is not part of the model, or contradicts itself (contracts.md section 5)."""

    message: str
    location: Location


@dataclass
class Imported:
    """One importer's reading of its inputs.

    - `data`: `{"accounts": {...}, "organization": {...}}` (either may be absent), as in a scenario file;
    - `sources`: for key paths of `data` (from its root: `("accounts", "111111111111", "roles", "app")`), where in
      the input the value was read; the loader reports errors there;
    - `aliases`: source addresses (`terraform:aws_iam_role.app`, `cloudformation:AppRole`) to the ARN they import as;
    - `absent`: kinds of data the inputs did not contain, in words ("SCPs and RCPs: no organization export given");
    - `warnings`: elements left out of the model or contradictions, each located.
    """

    data: dict[str, Any] = field(default_factory=dict)
    sources: dict[Path_, Location] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
