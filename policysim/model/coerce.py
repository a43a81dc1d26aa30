"""The value rules of the policy wire form that a type alone cannot say: single value or list, `Principal`'s shapes,
condition values, a lone statement. Plain functions, no pydantic at import: the pydantic models run them as
`BeforeValidator`s and so do the wire records (model/wire.py); a refusal raises pydantic's `PydanticCustomError`."""

from __future__ import annotations

from typing import Any, NoReturn


def _refuse(kind: str, message: str) -> NoReturn:
    from pydantic_core import PydanticCustomError  # only on a refusal

    raise PydanticCustomError(kind, message)


def string_or_list(value: Any) -> Any:
    """A string or a non-empty list of strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    if isinstance(value, list) and not value:
        _refuse("empty_list", "must not be an empty list")
    _refuse("string_or_list", "must be a string or a list of strings")


def principal(value: Any) -> Any:
    """`*` or a mapping of principal type to values."""
    if value == "*":
        return value
    if isinstance(value, str):
        _refuse(
            "principal_string",
            'must be "*" or a mapping such as {"AWS": "<account id or ARN>"} or {"Service": "<service>"}',
        )
    if isinstance(value, dict):
        return value
    _refuse("principal_type", 'must be "*" or a mapping of principal type to values')


def condition_values(value: Any) -> Any:
    """A condition value or a list of them (strings, numbers, booleans)."""
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list) and all(isinstance(v, str | bool | int | float) for v in value):
        return value
    _refuse("condition_value", "must be a value or a list of values (strings, numbers, booleans)")


def statements(value: Any) -> Any:
    """A lone statement object is a one-element list (AWS allows both)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and not value:
        _refuse("empty_list", "must contain at least one statement")
    return value
