"""Validate plain data against a wire model and turn pydantic's errors into located, readable ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from policysim.errors import Location, PathPart, SchemaError

M = TypeVar("M", bound=BaseModel)
Locator = Callable[[Sequence[PathPart]], Location]


def validate(model: type[M], data: Any, locate: Locator, what: str = "") -> M:
    """`model.model_validate(data)` or a SchemaError located at the first problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first, path, others = pick_error(errors, data)
        message, hint = describe(first, data, path, model)
        if what:
            message = f"{what}: {message}"
        if others:
            message += f" (and {others} more problem{'s' if others > 1 else ''})"
        raise SchemaError(message, locate(path), hint) from None


def pick_error(errors: Sequence[ErrorDetails], data: Any) -> tuple[ErrorDetails, tuple[PathPart, ...], int]:
    """The most useful of pydantic's errors, its data path, and how many other real problems there are.

    Pydantic lists errors in field order, and for a union one error per branch. Two refinements on "the first":
    - an error deeper inside the value the first error is about wins (a union branch that got further:
      `Principal: {AWS: 1}` is "`AWS` must be a string", not "`Principal` must be '*'");
    - an unknown key beside a missing one in the same mapping wins (`effect` for `Effect`, `expects` for
      `expect`: the fix is "did you mean", not "missing").
    Errors on the value's ancestors (the union branches that lost) are not counted as more problems.
    """
    paths = [data_path(data, error["loc"]) for error in errors]
    best = 0
    for index in range(1, len(errors)):
        here, chosen = paths[index], paths[best]
        deeper = len(here) > len(chosen) and here[: len(chosen)] == chosen
        misspelt = (
            errors[best]["type"] == "missing"
            and errors[index]["type"] == "extra_forbidden"
            and here[:-1] == chosen[:-1]
        )
        if deeper or misspelt:
            best = index
    chosen = paths[best]
    others = sum(
        1
        for index, path in enumerate(paths)
        if index != best and not (len(path) < len(chosen) and chosen[: len(path)] == path)
    )
    return errors[best], chosen, others


def data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[PathPart, ...]:
    """The part of a pydantic `loc` that names real keys and indexes in `data` (union tags dropped)."""
    path: list[PathPart] = []
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]  # type: ignore[index]
        elif isinstance(node, dict) and last and isinstance(part, str) and "[" not in part:
            path.append(part)  # a missing key: point at the mapping, name the key
        # anything else is a union/validator tag, or a lone object validated as a one-element list
    return tuple(path)


def _name(path: Sequence[PathPart]) -> str:
    return str(path[-1]) if path else "document"


def describe(
    error: ErrorDetails, data: Any, path: tuple[PathPart, ...], model: type[BaseModel]
) -> tuple[str, str | None]:
    """A message and an optional hint for one pydantic error."""
    kind = error["type"]
    value = error.get("input")
    key = _name(path)
    if kind == "extra_forbidden":
        known = _known_fields(data, path, model)
        import difflib  # only for an unknown key

        close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
        lowered = [k for k in known if k.lower() == str(key).lower()]
        hint = f"did you mean `{(lowered or close)[0]}`?" if (lowered or close) else None
        if hint is None and known:
            hint = "known keys: " + ", ".join(f"`{k}`" for k in known)
        return f"unknown key `{key}`", hint
    if kind == "missing":
        return f"missing required key `{key}`", None
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"`{key}` must be {expected}, got `{value}`", "values are case-sensitive"
    if kind in ("string_type", "int_type", "bool_type", "dict_type", "list_type", "float_type"):
        wanted = {
            "string_type": "a string",
            "int_type": "a whole number",
            "bool_type": "true or false",
            "dict_type": "a mapping",
            "list_type": "a list",
            "float_type": "a number",
        }[kind]
        hint = None
        if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
            hint = f'quote it: `"{value}"` (account ids and versions are strings)'
        return f"`{key}` must be {wanted}, got {_type_word(value)} `{value}`", hint
    if kind == "string_pattern_mismatch" and len(path) >= 2 and path[-2] in ("inline_policies", "policies"):
        return (
            f"invalid policy name `{value}`",
            "a policy name is 1 to 128 letters, digits and `+=,.@-_` (IAM's rule)",
        )
    hint = None
    if isinstance(value, int | float) and not isinstance(value, bool) and "string" in error["msg"]:
        hint = f'quote it: `"{value}"` (account ids and versions are strings)'
    return f"`{key}` {error['msg']}", hint


def _type_word(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "null" if value is None else type(value).__name__


def _known_fields(data: Any, path: Sequence[PathPart], model: type[BaseModel]) -> list[str]:
    """Field names (aliases first) of the model that sits at the parent of `path`."""
    current: type[BaseModel] | None = model
    for part in path[:-1]:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            field = next((f for f in current.model_fields.values() if f.alias == part), None)
        current = _model_in(field.annotation) if field else None
    if current is None:
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel class inside an annotation such as `list[X] | None` or `dict[str, X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    origin_meta = getattr(annotation, "__metadata__", None)
    if origin_meta is not None:
        return _model_in(getattr(annotation, "__origin__", None))
    return None
