"""The Bool operator.

"Boolean conditions let you construct `Condition` elements that restrict access based on comparing a key to
"true" or "false"." Policy values must be `true` or `false` (JSON booleans are read as such; any letter case
is accepted); request values are compared the same way, and one that is neither matches nothing.

Variables: the current operator page says "You can use a policy variable with the `Boolean` condition
operator" (older snapshots said the opposite; policysim follows the current page). A rendered variable that is
not `true`/`false`, or that has no value, matches nothing.
"""

from __future__ import annotations

from policysim.context import RequestContext
from policysim.ir.template import Template

from .values import BuildInput, Matcher, ValueTest, literal_text

_BOOLEANS = frozenset({"true", "false"})


def build_bool(spec: BuildInput) -> Matcher:
    """Compile Bool values."""
    static: set[str] = set()
    dynamic: list[Template] = []
    for text, template in zip(spec.texts, spec.templates(), strict=True):
        if template.has_variables:
            dynamic.append(template)
            continue
        value = literal_text(template, text).lower()
        if value not in _BOOLEANS:
            raise spec.invalid(text, "boolean (`true` or `false`)")
        static.add(value)
    return Matcher(_bool_test(frozenset(static), tuple(dynamic)))


def _bool_test(members: frozenset[str], templates: tuple[Template, ...]) -> ValueTest:
    def test(value: str, ctx: RequestContext) -> bool:
        probe = value.lower()
        if probe not in _BOOLEANS:
            return False
        if probe in members:
            return True
        for template in templates:
            rendered = template.render(ctx)
            if rendered is not None and rendered.lower() == probe:
                return True
        return False

    return test
