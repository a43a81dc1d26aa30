"""The wire form of an IAM policy document: strict, unknown keys refused, shaped exactly like the JSON.

Single values or lists are kept as written (`"Action": "s3:GetObject"` stays a string); the compiler normalises.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from policysim.model import coerce
from policysim.model.wire_types import ConditionScalar

StringOrList = Annotated[str | list[str], BeforeValidator(coerce.string_or_list)]
PrincipalType = Literal["AWS", "Service", "Federated", "CanonicalUser"]
PrincipalMap = dict[PrincipalType, StringOrList]
PrincipalValue = Annotated[Literal["*"] | PrincipalMap, BeforeValidator(coerce.principal)]
ConditionValues = Annotated[ConditionScalar | list[ConditionScalar], BeforeValidator(coerce.condition_values)]
ConditionBlock = dict[str, dict[str, ConditionValues]]


class PolicyStatement(BaseModel):
    """One statement, with AWS's element names."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    Sid: str | None = Field(
        default=None, description="The statement id: an optional label; reports name the statement by it."
    )
    Effect: Literal["Allow", "Deny"] = Field(description="`Allow` or `Deny`.")
    Principal: PrincipalValue | None = Field(
        default=None,
        description=(
            "Who the statement applies to, in policies attached to a resource (trust, bucket and other resource "
            "policies, RCPs): `*`, or a mapping such as `{AWS: ARN or account}` or `{Service: SERVICE}`."
        ),
    )
    NotPrincipal: PrincipalValue | None = Field(
        default=None, description="Every principal except these; the same forms as `Principal`."
    )
    Action: StringOrList | None = Field(
        default=None, description="The actions covered: `service:Action` (wildcards `*` and `?`), a string or a list."
    )
    NotAction: StringOrList | None = Field(default=None, description="Every action except these: a string or a list.")
    Resource: StringOrList | None = Field(
        default=None, description="The resources covered: ARNs (wildcards `*` and `?`) or `*`, a string or a list."
    )
    NotResource: StringOrList | None = Field(
        default=None, description="Every resource except these: a string or a list."
    )
    Condition: ConditionBlock | None = Field(
        default=None,
        description="Conditions `{OPERATOR: {KEY: value or list}}`; the statement applies only when every one holds.",
    )


class PolicyDocument(BaseModel):
    """A policy document. `Statement` written as one object is held as a one-element list."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    Version: Literal["2012-10-17", "2008-10-17"] | None = Field(
        default=None, description='The policy language version: `"2012-10-17"` (quoted in YAML) or `"2008-10-17"`.'
    )
    Id: str | None = Field(default=None, description="An optional identifier of the policy.")
    Statement: Annotated[list[PolicyStatement], BeforeValidator(coerce.statements), Field(min_length=1)] = Field(
        description="The statements: one statement object, or a list of at least one."
    )
