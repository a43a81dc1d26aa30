"""The wire form of an IAM policy document: strict, unknown keys refused, shaped exactly like the JSON.

Single values or lists are kept as written (`"Action": "s3:GetObject"` stays a string); the compiler normalises.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

ConditionScalar = str | bool | int | float


def _string_or_list(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    if isinstance(value, list) and not value:
        raise PydanticCustomError("empty_list", "must not be an empty list")
    raise PydanticCustomError("string_or_list", "must be a string or a list of strings")


StringOrList = Annotated[str | list[str], BeforeValidator(_string_or_list)]


def _principal(value: Any) -> Any:
    if value == "*":
        return value
    if isinstance(value, str):
        raise PydanticCustomError(
            "principal_string",
            'must be "*" or a mapping such as {"AWS": "<account id or ARN>"} or {"Service": "<service>"}',
        )
    if isinstance(value, dict):
        return value
    raise PydanticCustomError("principal_type", 'must be "*" or a mapping of principal type to values')


PrincipalType = Literal["AWS", "Service", "Federated", "CanonicalUser"]
PrincipalMap = dict[PrincipalType, StringOrList]
PrincipalValue = Annotated[Literal["*"] | PrincipalMap, BeforeValidator(_principal)]


def _condition_values(value: Any) -> Any:
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list) and all(isinstance(v, str | bool | int | float) for v in value):
        return value
    raise PydanticCustomError("condition_value", "must be a value or a list of values (strings, numbers, booleans)")


ConditionValues = Annotated[ConditionScalar | list[ConditionScalar], BeforeValidator(_condition_values)]
ConditionBlock = dict[str, dict[str, ConditionValues]]


class PolicyStatement(BaseModel):
    """One statement, with AWS's element names."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    Sid: str | None = None
    Effect: Literal["Allow", "Deny"]
    Principal: PrincipalValue | None = None
    NotPrincipal: PrincipalValue | None = None
    Action: StringOrList | None = None
    NotAction: StringOrList | None = None
    Resource: StringOrList | None = None
    NotResource: StringOrList | None = None
    Condition: ConditionBlock | None = None


def _statements(value: Any) -> Any:
    """A lone statement object is a one-element list (AWS allows both)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and not value:
        raise PydanticCustomError("empty_list", "must contain at least one statement")
    return value


class PolicyDocument(BaseModel):
    """A policy document. `Statement` written as one object is held as a one-element list."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    Version: Literal["2012-10-17", "2008-10-17"] | None = None
    Id: str | None = None
    Statement: Annotated[list[PolicyStatement], BeforeValidator(_statements), Field(min_length=1)]
