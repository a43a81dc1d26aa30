"""The resources of the request space: declared and named ones, pattern instances, and one unnamed example.

A Resource pattern is filled in two ways. Its wildcards become `policysim-example` (`arn:aws:s3:::app-data/*` gives
`arn:aws:s3:::app-data/policysim-example`). And for each resource type an action acts on, the pattern's text before
its first wildcard is completed into an ARN of that type (`arn:aws:s3:::app-*` gives the object
`arn:aws:s3:::app-policysim-example/policysim-example` for `s3:GetObject`). Variables become the values the models
give them: `${aws:username}` each user's name, `${aws:PrincipalTag/K}` each principal's value of tag K.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice, product

from policysim.catalogue import EXAMPLE, ArnFormat
from policysim.errors import InputError
from policysim.ir.arn import parse_arn
from policysim.ir.pattern import Glob
from policysim.services.sts import TRUST_ACTIONS

from .callers import Caller
from .harvest import Harvest
from .space import ActionClass

DEFAULT_ACCOUNT = "123456789012"
MAX_INSTANCES = 64  # per pattern, over all combinations of variable values
ESCAPES = frozenset({"*", "?", "$"})  # `${*}`, `${?}`, `${$}` stand for the character itself


class ResourcePool:
    """Every resource to try, and for an action and a caller the ones that fit."""

    def __init__(self, found: Harvest) -> None:
        named = set(found.resources)
        # (text before the first wildcard, the whole pattern, its plain instance)
        self.patterns: list[tuple[str, Glob, str]] = []
        for pattern in sorted(found.resource_patterns):
            for text in islice(_with_variables(pattern, found), MAX_INSTANCES):
                for located in _located(text, found):  # partition, region and account filled, the rest kept
                    plain = located.replace("*", EXAMPLE).replace("?", "x")
                    named.add(plain)
                    cut = min((i for i in (located.find("*"), located.find("?")) if i >= 0), default=-1)
                    if cut >= 0:
                        self.patterns.append((located[:cut], Glob.compile(located), plain))
        self.resources = sorted(r for r in named if r == "*" or valid_arn(r))
        self._guided: dict[tuple[str, str, str], list[str]] = {}
        self._named: dict[str, list[str]] = {}

    def for_action(self, action: ActionClass, caller: Caller) -> list[str]:
        """The resources to try `action` on as `caller`."""
        if action.formats is None:
            return self._named_of(action)
        chosen = list(self._named_of(action))
        partition, account = caller_partition(caller), caller.account or DEFAULT_ACCOUNT
        for fmt in action.formats:
            chosen += [r for r in self._guided_examples(fmt, partition, account) if r not in chosen]
        if action.formats:  # and one the model does not name, in the caller's account
            simplest = min(action.formats, key=lambda f: f.text.count("${"))
            example = simplest.example(partition, account)
            if valid_arn(example) and example not in chosen:
                chosen.append(example)
        if action.star or not chosen:
            chosen.append("*")
        return chosen

    def _named_of(self, action: ActionClass) -> list[str]:
        """The named resources an action acts on, whoever asks (made once per action class)."""
        found = self._named.get(action.name)
        if found is None:
            if action.formats is None:
                service = "iam" if action.name.lower() in TRUST_ACTIONS else action.name.split(":", 1)[0].lower()
                found = [r for r in self.resources if r != "*" and r.split(":")[2] == service] or ["*"]
            else:
                formats = action.formats
                found = [r for r in self.resources if r != "*" and any(f.matches(r) for f in formats)]
            self._named[action.name] = found
        return found

    def _guided_examples(self, fmt: ArnFormat, partition: str, account: str) -> list[str]:
        """Resources of type `fmt` inside each pattern (made once per format, partition and account)."""
        key = (fmt.text, partition, account)
        found = self._guided.get(key)
        if found is None:
            service = fmt.text.split(":")[2]
            found = []
            for prefix, glob, plain in self.patterns:
                if fmt.matches(plain) or (prefix.count(":") >= 2 and prefix.split(":")[2] != service):
                    continue  # the plain instance is already of this type, or another service's pattern
                found += [r for r in fmt.examples_after(prefix, partition, account) if glob.matches(r)]
            self._guided[key] = found = [r for r in dict.fromkeys(found) if valid_arn(r)]
        return found


def caller_partition(caller: Caller) -> str:
    """The partition of the caller's ARN (`aws` for services and the anonymous caller)."""
    return caller.key.split(":")[1] if caller.key.startswith("arn:") else "aws"


def valid_arn(text: str) -> bool:
    """Is `text` an ARN policysim can evaluate?"""
    try:
        parse_arn(text)
    except InputError:
        return False
    return True


def _with_variables(pattern: str, found: Harvest) -> Iterator[str]:
    """The pattern with each combination of its variables' values (wildcards kept; `${*}`-style escapes resolved)."""
    pieces: list[list[str]] = [[]]
    start = 0
    while (open_at := pattern.find("${", start)) >= 0:
        close = pattern.find("}", open_at)
        if close < 0:
            break
        pieces[-1].append(pattern[start:open_at])
        inner = pattern[open_at + 2 : close]
        if inner in ESCAPES:
            pieces[-1].append(inner)
        else:
            name, _, default = inner.partition(",")  # `${aws:username, 'x'}`: the default is used when absent
            values = found.variable_values(name.strip()) or [default.strip().strip("'") or EXAMPLE]
            pieces += [values, []]
        start = close + 1
    pieces[-1].append(pattern[start:])
    options = [p if index % 2 else ["".join(p)] for index, p in enumerate(pieces)]
    for combination in product(*options):
        yield "".join(combination)


def _located(text: str, found: Harvest) -> Iterator[str]:
    """The pattern with a wildcard partition, region or account filled (`aws`, `us-east-1`, each declared account)."""
    fields = text.split(":", 5)
    if len(fields) < 6:
        return
    partition, service, region, account, rest = fields[1], fields[2], fields[3], fields[4], fields[5]
    partitions = ["aws"] if _wild(partition) else [partition]
    regions = ["us-east-1"] if _wild(region) and region else [region]
    accounts = (sorted(found.accounts) or [DEFAULT_ACCOUNT]) if _wild(account) and account else [account]
    for part, reg, acct in product(partitions, regions, accounts):
        yield f"arn:{part}:{service}:{reg}:{acct}:{rest}"


def _wild(text: str) -> bool:
    return "*" in text or "?" in text
