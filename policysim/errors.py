"""policysim's exception tree; every input error carries where it happened.

::

    PolicysimError                     anything policysim refuses (CLI exit code 2 unless noted)
     +-- InputError                    the input is invalid
     |    +-- ParseError               YAML / JSON / grammar syntax, encoding, size caps
     |    +-- SchemaError              wrong type, unknown or missing key, duplicate key
     |    +-- PolicyError              a policy document AWS would reject
     |    +-- UnresolvedReferenceError a name or ARN that does not resolve in the model (old name: ReferenceError_)
     |    +-- RequestError             a request (test, API call) that cannot be evaluated
     |    +-- ConfigError              a configuration file or environment variable policysim cannot use
     +-- UnsupportedError              a construct policysim does not model (never skipped)
     +-- EvaluationError               an error while evaluating: the evaluation fails, it never "does not match"

Messages follow one style: lowercase, no trailing period, user input in backticks.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

PathPart = str | int


@dataclass(frozen=True)
class Location:
    """Where something is: a file (or a label such as a policy id), a line and column, and a key path."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: tuple[PathPart, ...] = field(default=())

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.path:
            where += f" ({format_path(self.path)})"
        return where

    def child(self, *parts: PathPart) -> Location:
        """The same place, one level deeper in the key path (line and column unchanged)."""
        return replace(self, path=self.path + parts)


def format_path(path: tuple[PathPart, ...]) -> str:
    """Render a key path as `Statement[0].Action`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class PolicysimError(Exception):
    """Base of every error policysim raises on purpose."""

    code: str = "error"

    def __init__(self, message: str, location: Location | None = None, hint: str | None = None) -> None:
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """`file:line:col: message (hint: ...)`."""
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(PolicysimError):
    """The input is invalid."""

    code = "invalid-input"


class ParseError(InputError):
    """Syntax, encoding or size problems in a file or string."""

    code = "parse-error"


class SchemaError(InputError):
    """Wrong type, unknown key, missing key or duplicate key."""

    code = "schema-error"


class PolicyError(InputError):
    """A policy document that AWS would reject."""

    code = "invalid-policy"


class UnresolvedReferenceError(InputError):
    """A name or ARN that does not resolve in the model."""

    code = "unresolved-reference"


ReferenceError_ = UnresolvedReferenceError
"""Deprecated: the old name of `UnresolvedReferenceError`, the same class (existing `except` clauses still match)."""


class RequestError(InputError):
    """A request that cannot be evaluated as given."""

    code = "invalid-request"


class ConfigError(InputError):
    """A configuration that cannot be used: ambiguous, missing, or a bad environment variable."""

    code = "invalid-config"


class UnsupportedError(PolicysimError):
    """A construct policysim does not model; it is refused, never skipped."""

    code = "unsupported"


class EvaluationError(PolicysimError):
    """Something went wrong while evaluating; the evaluation fails."""

    code = "evaluation-error"
