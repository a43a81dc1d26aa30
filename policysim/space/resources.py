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

from .actions import ActionClass
from .callers import Caller
from .harvest import Harvest

DEFAULT_ACCOUNT = "123456789012"
MAX_INSTANCES = 64  # per pattern, over all combinations of variable values
ESCAPES = frozenset({"*", "?", "$"})  # `${*}`, `${?}`, `${$}` stand for the character itself


class ResourcePool:
    """Every resource to try, and for an action and a caller the ones that fit.

    Made once per action class, partition and account: the named resources of a format (indexed by service), the
    pattern instances of a format (patterns indexed by service), and the list for an action class."""

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
        self._by_service: dict[str, list[str]] = {}  # in the order of `resources`
        for resource in self.resources:
            if resource != "*":
                self._by_service.setdefault(resource.split(":")[2], []).append(resource)
        # patterns whose service is written test only the formats of that service; the others test every format
        self._patterns_of: dict[str, list[int]] = {}  # indexes into `patterns`
        self._patterns_anywhere: list[int] = []
        for index, (prefix, _, _) in enumerate(self.patterns):
            if prefix.count(":") >= 2:
                self._patterns_of.setdefault(prefix.split(":")[2], []).append(index)
            else:
                self._patterns_anywhere.append(index)
        self._order = {r: i for i, r in enumerate(self.resources)}
        self._guided: dict[tuple[str, str, str], list[str]] = {}
        self._named: dict[str, list[str]] = {}
        self._of_format: dict[str, list[str]] = {}
        self._chosen: dict[tuple[str, str, str], list[str]] = {}

    def for_action(self, action: ActionClass, caller: Caller) -> list[str]:
        """The resources to try `action` on as `caller` (the same list for callers of one partition and account)."""
        return self.for_key(action, caller_partition(caller), caller.account or DEFAULT_ACCOUNT)

    def for_key(self, action: ActionClass, partition: str, account: str) -> list[str]:
        """The resources to try `action` on as a caller of `account` in `partition`."""
        key = (action.name, partition, account)
        chosen = self._chosen.get(key)
        if chosen is None:
            chosen = self._chosen[key] = self._choose(action, partition, account)
        return chosen

    def _choose(self, action: ActionClass, partition: str, account: str) -> list[str]:
        if action.formats is None:
            return self._named_of(action)
        chosen = dict.fromkeys(self._named_of(action))
        for fmt in action.formats:
            chosen.update(dict.fromkeys(self._guided_examples(fmt, partition, account)))
        if action.formats:  # and one the model does not name, in the caller's account
            simplest = min(action.formats, key=lambda f: f.text.count("${"))
            example = simplest.example(partition, account)
            if valid_arn(example):
                chosen.setdefault(example, None)
        if action.star or not chosen:
            chosen.setdefault("*", None)
        return list(chosen)

    def _named_of(self, action: ActionClass) -> list[str]:
        """The named resources an action acts on, whoever asks (made once per action class)."""
        found = self._named.get(action.name)
        if found is None:
            if action.formats is None:
                service = "iam" if action.name.lower() in TRUST_ACTIONS else action.name.split(":", 1)[0].lower()
                found = list(self._by_service.get(service, ())) or ["*"]
            elif len(action.formats) == 1:
                found = self._of(action.formats[0])
            else:
                union = {r for f in action.formats for r in self._of(f)}
                found = sorted(union, key=self._order.__getitem__)
            self._named[action.name] = found
        return found

    def _of(self, fmt: ArnFormat) -> list[str]:
        """The named resources of one format, in the order of `resources` (made once per format)."""
        found = self._of_format.get(fmt.text)
        if found is None:
            service = _service(fmt)
            pool = self._by_service.get(service, []) if service is not None else self.resources
            found = self._of_format[fmt.text] = [r for r in pool if r != "*" and fmt.matches(r)]
        return found

    def _guided_examples(self, fmt: ArnFormat, partition: str, account: str) -> list[str]:
        """Resources of type `fmt` inside each pattern (made once per format, partition and account)."""
        key = (fmt.text, partition, account)
        found = self._guided.get(key)
        if found is None:
            fields = fmt.text.split(":")
            indexes = self._patterns_of.get(fields[2] if len(fields) > 2 else "", [])
            if self._patterns_anywhere:  # in the order of `patterns`
                indexes = sorted([*indexes, *self._patterns_anywhere])
            found = []
            for index in indexes:
                prefix, glob, plain = self.patterns[index]
                if fmt.matches(plain):
                    continue  # the plain instance is already of this type
                found += [r for r in fmt.examples_after(prefix, partition, account) if glob.matches(r)]
            self._guided[key] = found = [r for r in dict.fromkeys(found) if valid_arn(r)]
        return found


def _service(fmt: ArnFormat) -> str | None:
    """The service field of a format's ARN (`s3` in `arn:${Partition}:s3:::${BucketName}`); None when the format
    does not write it (every resource is then tested)."""
    fields = fmt.text.split(":")
    return fields[2] if len(fields) > 2 and "$" not in fields[2] else None


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
