"""ARN formats of resource types, as the Service Authorization Reference writes them: `${Placeholder}` fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
EXAMPLE = "policysim-example"


@dataclass(frozen=True)
class ArnFormat:
    """A resource type's ARN format; `matches` tells whether an ARN is of this type.

    A placeholder matches within one `:` field (a bucket name also stops at `/`); the last one takes the rest. The
    regex is built on first use: a diff touches a few of the 2,000 formats.
    """

    service: str
    type: str
    text: str

    @classmethod
    def compile(cls, service: str, type_: str, text: str) -> ArnFormat:
        """The format of one resource type."""
        return cls(service, type_, text)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(_regex(PLACEHOLDER.split(self.text)) + r"\Z")

    def matches(self, arn: str) -> bool:
        """Is `arn` a resource of this type?"""
        return self._pattern.match(arn) is not None

    @cached_property
    def _tokens(self) -> tuple[str | frozenset[str], ...]:
        """The format as characters, and for each placeholder the set of characters it cannot hold."""
        pieces = PLACEHOLDER.split(self.text)
        tokens: list[str | frozenset[str]] = []
        for index, piece in enumerate(pieces):
            tokens.extend(piece if index % 2 == 0 else [frozenset(_excluded(pieces, index))])
        return tuple(tokens)

    def overlaps(self, pattern: str) -> bool:
        """Could some ARN of this type match `pattern`, a Resource wildcard (`*` any run of characters, `?` one)?

        Exact, not a guess from examples: `arn:aws:s3:::reports/*` overlaps `object` but not `bucket` (a bucket name
        holds no `/`). A policy variable in the pattern should be given as `*` (it can be any text).
        """
        return _overlap(self._tokens, pattern)

    def example(self, partition: str, account: str) -> str:
        """An ARN of this type in `account`, placeholders filled with `policysim-example`."""
        return "".join(self._filled(PLACEHOLDER.split(self.text), partition, account))

    def examples_after(self, prefix: str, partition: str, account: str) -> list[str]:
        """ARNs of this type that start with `prefix`, for each placeholder the prefix may end inside.

        `arn:aws:logs:us-east-1:111111111111:log-group:/app/` ends inside `${LogGroupName}`, so one example is the
        prefix, `policysim-example`, then the format after that placeholder: `:log-stream:policysim-example`.
        """
        pieces = PLACEHOLDER.split(self.text)
        out = []
        for index in range(1, len(pieces), 2):
            # the prefix must be the format up to this placeholder, and end inside it
            inside = "[^:/]*" if pieces[index] == "BucketName" else "[^:]*"
            if not re.fullmatch(_regex(pieces[:index]) + inside, prefix):
                continue
            candidate = prefix + EXAMPLE + "".join(self._filled(pieces[index + 1 :], partition, account))
            if self.matches(candidate):
                out.append(candidate)
        return out

    @staticmethod
    def _filled(pieces: list[str], partition: str, account: str) -> list[str]:
        """Literal pieces kept, placeholders (at odd positions) filled."""
        fill = {"Partition": partition, "Region": "us-east-1"}
        return [
            piece
            if index % 2 == 0
            else account
            if piece.endswith(("Account", "AccountId"))
            else fill.get(piece, EXAMPLE)
            for index, piece in enumerate(pieces)
        ]


def _excluded(pieces: list[str], index: int) -> str:
    """The characters the placeholder at `index` cannot hold: `:` (one field), `:/` for a bucket name, and none for
    the last placeholder when it ends the format (it takes the rest)."""
    last = len(pieces) - 2 if len(pieces) % 2 == 1 else len(pieces) - 1  # the final placeholder's index
    if pieces[index] == "BucketName":
        return ":/"
    if index == last and index == len(pieces) - 2 and not pieces[-1]:
        return ""
    return ":"


def _regex(pieces: list[str]) -> str:
    """The regex of format pieces (literal, placeholder, literal, ...): see `ArnFormat.compile`."""
    regex = ""
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            regex += re.escape(piece)
        else:
            excluded = _excluded(pieces, index)
            regex += f"[^{excluded}]+" if excluded else ".+"
    return regex


def _overlap(tokens: tuple[str | frozenset[str], ...], pattern: str) -> bool:
    """Is some string both of the format (`tokens`) and matched by the wildcard `pattern`?

    A search over pairs (pattern position, token position, whether the current placeholder holds a character yet):
    a step reads one character both sides accept; a `*` may also be skipped, and a placeholder that holds a character
    may end. At most (len(pattern) + 1) x (len(tokens) + 1) x 2 states, each visited once.
    """
    end = (len(pattern), len(tokens))
    seen = {(0, 0, False)}
    stack = [(0, 0, False)]
    while stack:
        i, j, holds = stack.pop()
        if (i, j) == end:
            return True
        steps = []
        if i < len(pattern) and pattern[i] == "*":
            steps.append((i + 1, j, holds))  # the `*` matches nothing more
        if holds:
            steps.append((i, j + 1, False))  # the placeholder ends
        if i < len(pattern) and j < len(tokens):
            char, token = pattern[i], tokens[j]
            after = i if char == "*" else i + 1
            wild = char in "*?"
            if isinstance(token, str):
                if wild or char == token:
                    steps.append((after, j + 1, False))
            elif wild or char not in token:
                steps.append((after, j, True))
        for step in steps:
            if step not in seen:
                seen.add(step)
                stack.append(step)
    return False
