"""A request to a scenario as one value: who asks, what, on which resource, and how (context, role chain, the
AssumeRole options).

`Scenario.evaluate`'s keywords, a scenario test and `policysim explain`'s flags all become a `RequestSpec`, and
`Scenario.evaluate_spec` answers it: the fields are forwarded by no one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from policysim.compiled import CompiledPolicy
from policysim.context import ContextInput
from policysim.errors import Location
from policysim.model.records import Test

ContextArg = Mapping[str, ContextInput | None]


@dataclass(frozen=True, slots=True)
class RequestSpec:
    """One request to a scenario; the fields mean what the fields of a scenario test mean (scenario-format.md).

    `where` is where the request was written (a scenario test), for the errors it causes; it is not part of the
    request's value (two specs that differ only in `where` are equal).
    """

    principal: str  # name or ARN, as a test's `principal`
    action: str  # one concrete `service:Action`
    resource: str  # an ARN or `*`
    context: ContextArg = field(default_factory=dict)  # values str | list[str] | bool | int; None removes a key
    assume: tuple[str, ...] = ()  # the role chain walked first: role names or ARNs
    session_name: str | None = None
    external_id: str | None = None
    mfa: bool | None = None
    session_policy: Mapping[str, Any] | CompiledPolicy | None = None  # a policy document, or compiled
    duration_seconds: int | None = None
    resource_account: str | None = None
    via: str = "api"  # api | cli | console
    session_tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: tuple[str, ...] = ()
    source_identity: str | None = None
    where: Location | None = field(default=None, compare=False)
    discover: bool = False  # also find the conditions on missing keys under which it would be allowed

    @classmethod
    def from_test(
        cls,
        test: Test,
        action: str,
        resource: str,
        *,
        session_policy: CompiledPolicy | None = None,
        where: Location | None = None,
    ) -> RequestSpec:
        """The request a scenario test makes for one of its actions and resources.

        `session_policy` is the test's `session_policy`, compiled by the caller (it knows the document's place).
        """
        return cls(
            principal=test.principal,
            action=action,
            resource=resource,
            context=test.context,
            assume=tuple(test.assume),
            session_name=test.session_name,
            external_id=test.external_id,
            mfa=test.mfa,
            session_policy=session_policy,
            duration_seconds=test.duration_seconds,
            resource_account=test.resource_account,
            via=test.via,
            session_tags=test.session_tags,
            transitive_tag_keys=tuple(test.transitive_tag_keys),
            source_identity=test.source_identity,
            where=where,
        )

    def with_keys(self, keys: Mapping[str, tuple[str, ...]]) -> RequestSpec:
        """The same request with context `keys` given, each replacing the request's own entry for it (any case)."""
        lowered = {key.lower() for key in keys}
        context: dict[str, ContextInput | None] = {k: v for k, v in self.context.items() if k.lower() not in lowered}
        context.update(keys)
        return replace(self, context=context)

    def assume_role_options(self) -> dict[str, object]:
        """The options given that only an AssumeRole request can carry (`via` when not the default `api`)."""
        given: dict[str, object | None] = {
            "external_id": self.external_id,
            "session_policy": self.session_policy,
            "duration_seconds": self.duration_seconds,
            "session_tags": self.session_tags or None,
            "source_identity": self.source_identity,
            "transitive_tag_keys": self.transitive_tag_keys or None,
            "via": None if self.via == "api" else self.via,
        }
        return {name: value for name, value in given.items() if value is not None}
