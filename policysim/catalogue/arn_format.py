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


def _regex(pieces: list[str]) -> str:
    """The regex of format pieces (literal, placeholder, literal, ...): see `ArnFormat.compile`."""
    last = len(pieces) - 2 if len(pieces) % 2 == 1 else len(pieces) - 1  # the final placeholder's index
    regex = ""
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            regex += re.escape(piece)
        elif piece == "BucketName":
            regex += "[^:/]+"
        elif index == last and index == len(pieces) - 2 and not pieces[-1]:
            regex += ".+"
        else:
            regex += "[^:]+"
    return regex
