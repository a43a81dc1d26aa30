"""Policy strings with variables, split once at compile time (reference_policies_variables.md).

"The variable is marked using a `$` prefix followed by a pair of curly braces" and "If you don't include the
`Version` element and set it to an appropriate version date, variables like `${aws:username}` are treated as
literal strings in the policy". Special characters: `${*}`, `${?}` and `${$}` stand for literal `*`, `?`, `$`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policysim.context import RequestContext
from policysim.errors import Location, PolicyError

if TYPE_CHECKING:
    from lark import Token, Tree
    from lark.exceptions import UnexpectedInput

_VARIABLE_HINT = "a variable is `${service:key}` or `${service:key, 'default'}`; `${*}` `${?}` `${$}` are escapes"


@dataclass(frozen=True, slots=True)
class Variable:
    """A `${key}` or `${key, 'default'}` placeholder."""

    key: str
    default: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Escape:
    """`${*}`, `${?}` or `${$}`: a literal character, never a wildcard."""

    char: str


TemplatePart = str | Variable | Escape


@dataclass(frozen=True, slots=True)
class Template:
    """A policy string split into raw text, variables and escapes."""

    parts: tuple[TemplatePart, ...]
    text: str

    @property
    def has_variables(self) -> bool:
        """True when any part is a Variable."""
        return any(isinstance(part, Variable) for part in self.parts)

    @property
    def variables(self) -> tuple[Variable, ...]:
        """The variables, in order."""
        return tuple(part for part in self.parts if isinstance(part, Variable))

    def render(self, ctx: RequestContext) -> str | None:
        """The plain string for a request; None when a variable has no single value and no default."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Escape):
                out.append(part.char)
            else:
                value = resolve(part, ctx)
                if value is None:
                    return None
                out.append(value)
        return "".join(out)


def resolve(variable: Variable, ctx: RequestContext) -> str | None:
    """The value of a variable in a request: the key's single value, else its default, else None."""
    value = ctx.single(variable.key)
    return variable.default if value is None else value


def literal_template(text: str) -> Template:
    """A template that is all raw text."""
    return Template((text,) if text else (), text)


# The items `grammars/policy_variable.lark` reads, as one regular expression: text, a lone `$`, a variable (key and
# optional default) or an escape. The fast path of `parse_template`; the grammar stays the specification and gives
# the error messages, and tests/properties/test_fast_parsers.py holds the two equal.
_ITEM = re.compile(
    r"\$\{(?:([A-Za-z0-9_.-]+:[A-Za-z0-9_.:/=+@-]+(?: +[A-Za-z0-9_.:/=+@-]+)*)(\s*,\s*'[^']*')?|([*?$]))\}"
    r"|[^$]+|\$(?!\{)"
)


def parse_template(text: str, *, variables_enabled: bool, location: Location | None = None) -> Template:
    """Split `text` into parts; with variables disabled (Version 2008-10-17 or none) it is all raw text."""
    if not variables_enabled or "${" not in text:
        return literal_template(text)
    items = template_items(text)
    if items is None:
        from lark.exceptions import UnexpectedInput

        try:
            items = grammar_template_items(text)
        except UnexpectedInput as error:
            raise _diagnose(text, error, location) from None
    parts: list[TemplatePart] = []
    for part in items:
        if isinstance(part, str) and parts and isinstance(parts[-1], str):
            parts[-1] += part
        else:
            parts.append(part)
    return Template(tuple(parts), text)


def template_items(text: str) -> list[TemplatePart] | None:
    """The items of `text` (texts unmerged) when the whole of it is of the grammar's shape, else None."""
    items: list[TemplatePart] = []
    at = 0
    while at < len(text):
        found = _ITEM.match(text, at)
        if found is None:
            return None
        key, default, escaped = found.groups()
        if escaped is not None:
            items.append(Escape(escaped))
        elif key is not None:
            items.append(_variable(key, default))
        else:
            items.append(found.group())
        at = found.end()
    return items


def grammar_template_items(text: str) -> list[TemplatePart]:
    """The items as the lark grammar reads them; raises lark's `UnexpectedInput` when it refuses `text`."""
    from policysim.grammars import load_grammar

    return [_part(child) for child in load_grammar("policy_variable").parse(text).children]


def _variable(key: str, default: str | None) -> Variable:
    source = "${" + key + (default if default is not None else "") + "}"
    value = None if default is None else default.split("'", 1)[1][:-1]
    return Variable(key.lower(), value, source)


def _part(node: Tree[Token] | Token) -> TemplatePart:
    from lark import Token

    if isinstance(node, Token):
        return str(node)
    if node.data == "escape":
        return Escape(str(node.children[0]))
    key, default = node.children
    assert isinstance(key, Token)
    return _variable(str(key), None if default is None else str(default))


def _diagnose(text: str, error: UnexpectedInput, location: Location | None) -> PolicyError:
    """Turn a lark error into a message that names the variable at fault."""
    pos = error.pos_in_stream if error.pos_in_stream is not None and error.pos_in_stream >= 0 else len(text)
    start = text.rfind("${", 0, max(pos, 1))
    start = max(start, 0)
    close = text.find("}", start)
    reopen = text.find("${", start + 2)
    if close < 0 or 0 <= reopen < close:
        end = reopen if reopen >= 0 else len(text)
        return PolicyError(f"missing brace in variable `{text[start:end]}`", location, _VARIABLE_HINT)
    variable = text[start : close + 1]
    if variable == "${}":
        return PolicyError("empty variable `${}`", location, _VARIABLE_HINT)
    if "," in variable:
        return PolicyError(
            f"invalid default in variable `{variable}`", location, "write a default as `${key, 'value'}`"
        )
    return PolicyError(f"invalid variable `{variable}`", location, _VARIABLE_HINT)
