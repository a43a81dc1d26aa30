"""The Null operator: does the key exist?

"In the policy statement, use either `true` (the key doesn't exist — it is null) or `false` (the key exists
and its value is not null)." A key present with no values, or only empty strings, is null: the multi-value
page calls such values a data set that "resolve[s] to an empty data set (for example, an empty string)", and
its `Null: false` advice ("check if the context key exists and its value is not null") treats them as null.
"You can not use a policy variable with the `Null` condition operator."

`Null` is not a per-value test, so the block does not run it through the per-value combinator: the clause
result is ``is_null(values) in expected``.
"""

from __future__ import annotations

from .values import BuildInput

_NULL_VALUES = {"true": True, "false": False}


def build_null(spec: BuildInput) -> frozenset[bool]:
    """The expected null-ness values (`true` -> key absent, `false` -> key present with a value)."""
    expected: set[bool] = set()
    for text in spec.texts:
        value = _NULL_VALUES.get(text.lower())
        if value is None:
            raise spec.invalid(text, "Null value (`true` or `false`)")
        expected.add(value)
    return frozenset(expected)
