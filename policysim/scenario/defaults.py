"""A scenario's `defaults:` block: request settings every test has unless it gives its own (scenario-format.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from policysim.model.records import Defaults, Test
from policysim.model.wire_types import ContextValue
from policysim.scenario.spec import ContextArg
from policysim.world.assemble import called_in_resource_region

REQUESTED_REGION = "aws:requestedregion"


def default_context(defaults: Defaults) -> dict[str, ContextValue]:
    """The context keys the block gives: `source_ip` is `aws:SourceIp`, then `context` (which wins). `region` is
    not among them: see `with_region`."""
    context: dict[str, ContextValue] = {}
    if defaults.source_ip is not None:
        context["aws:SourceIp"] = defaults.source_ip
    given = {key.lower() for key in defaults.context}
    return {k: v for k, v in context.items() if k.lower() not in given} | dict(defaults.context)


def with_defaults(test: Test, defaults: Defaults | None) -> Test:
    """The test with the defaults it does not override: context key by key (names compared ignoring case, a test's
    `null` still removes a key), `mfa`, and `via` for a test that makes an AssumeRole request."""
    if defaults is None:
        return test
    own = {key.lower() for key in test.context}
    inherited = {k: v for k, v in default_context(defaults).items() if k.lower() not in own}
    update: dict[str, Any] = {"context": inherited | dict(test.context)}
    if test.mfa is None and defaults.mfa is not None:
        update["mfa"] = defaults.mfa
    actions = [test.action] if isinstance(test.action, str) else test.action
    assumes = bool(test.assume) or any(a.lower() == "sts:assumerole" for a in actions)
    if defaults.via is not None and "via" not in test.fields_set and assumes:
        update["via"] = defaults.via
    return replace(test, **update)


def with_region(context: ContextArg, action: str, resource: str, region: str | None) -> ContextArg:
    """A request's context with the default `region` as `aws:RequestedRegion`, unless the context gives that key or
    the resource's ARN names a Region (a request on a regional resource goes to its Region: world/assemble.py)."""
    derived = arn_region(resource) and called_in_resource_region(action)
    if region is None or any(key.lower() == REQUESTED_REGION for key in context) or derived:
        return context
    return {**context, "aws:RequestedRegion": region}


def arn_region(resource: str) -> str:
    """The Region field of an ARN (empty for `*`, S3 and IAM ARNs)."""
    parts = resource.split(":", 4)
    return parts[3] if len(parts) > 4 and parts[0] == "arn" else ""
