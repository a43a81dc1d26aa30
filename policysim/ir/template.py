"""Policy strings with variables, split once at compile time (reference_policies_variables.md).

"The variable is marked using a `$` prefix followed by a pair of curly braces" and "If you don't include the
`Version` element and set it to an appropriate version date, variables like `${aws:username}` are treated as
literal strings in the policy". Special characters: `${*}`, `${?}` and `${$}` stand for literal `*`, `?`, `$`.
"""

from __future__ import annotations

from dataclasses import dataclass

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from policysim.context import RequestContext
from policysim.errors import Location, PolicyError
from policysim.grammars import load_grammar

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


def parse_template(text: str, *, variables_enabled: bool, location: Location | None = None) -> Template:
    """Split `text` into parts; with variables disabled (Version 2008-10-17 or none) it is all raw text."""
    if not variables_enabled or "${" not in text:
        return literal_template(text)
    try:
        tree = load_grammar("policy_variable").parse(text)
    except UnexpectedInput as error:
        raise _diagnose(text, error, location) from None
    parts: list[TemplatePart] = []
    for child in tree.children:
        part = _part(child)
        if isinstance(part, str) and parts and isinstance(parts[-1], str):
            parts[-1] += part
        else:
            parts.append(part)
    return Template(tuple(parts), text)


def _part(node: Tree[Token] | Token) -> TemplatePart:
    if isinstance(node, Token):
        return str(node)
    if node.data == "escape":
        return Escape(str(node.children[0]))
    key, default = node.children
    assert isinstance(key, Token)
    source = "${" + str(key) + (str(default) if default is not None else "") + "}"
    value = None if default is None else str(default).split("'", 1)[1][:-1]
    return Variable(str(key).lower(), value, source)


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
