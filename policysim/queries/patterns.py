"""A request whose resource is a pattern (`arn:aws:s3:::logs-*/*`, `*`): is some resource matching it allowed?

The answer is decided by concrete example resources, each put to the one evaluator exactly as `evaluate` puts it
(`ask`), never by reasoning on policy text. For each resource type the action acts on that the pattern can match
(`ArnFormat.overlaps`), and for each Resource (or NotResource) pattern of the statements in play that overlaps it,
the examples are:

- the request space's resources of the type that the pattern matches (space/resources.py: every resource the model
  declares or a policy names, each statement pattern filled in, an example of the type in the caller's account);
- for each statement pattern S, resources of the meet of the asked pattern Q and S (`meet`: a pattern every string
  of which both match, found by a search that is exact about existence), filled in the same way, so that when
  Q and S share a resource of the type, one is tried;
- the meet of Q with each type's format (placeholders read as `*`), so each type gets an example of its own.

"Allowed" means that some resource matching the pattern is allowed, and names the example that proves it. "Denied"
means that every example tried was denied: the examples cover each statement pattern that overlaps the question,
inside it and, where the space holds one, outside it, but they are the request space's examples, not every possible
ARN (a condition on a resource's name, say `s3:prefix`, is not explored). The statements in play are those of the
policies the evaluator read for the examples (the caller's, its boundary and session, the organization's, and each
example's resource policy). A statement pattern with policy variables is grouped with each variable read as `*`;
whether the statement applied is the evaluator's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from policysim.catalogue import ActionCatalogue, ArnFormat, builtin_catalogue
from policysim.catalogue.arn_format import PLACEHOLDER
from policysim.compiled import ResourceMatcher, StatementRef
from policysim.engine.outcome import Outcome
from policysim.enums import Decision
from policysim.errors import Location, RequestError
from policysim.identifiers import is_account_id
from policysim.ir.pattern import Glob
from policysim.space.actions import action_class
from policysim.space.harvest import Harvest
from policysim.space.resources import DEFAULT_ACCOUNT, ResourcePool

Ask = Callable[[str], Outcome]  # the outcome of the request on one concrete resource, as `evaluate` gives it
ANY_TYPE = "*"  # the type of an action the catalogue does not know: every resource of its service
NO_RESOURCE = "(no resource: `*`)"  # the type of an action that takes no resource ARN
MAX_STATES = 200_000  # per meet: patterns that long are not written by hand
MAX_EXAMPLES = 256  # per question


@dataclass(frozen=True)
class Example:
    """One concrete resource tried, of one type, and its outcome (slim: the decision and its reasons)."""

    resource: str
    type: str
    outcome: Outcome

    @property
    def decision(self) -> Decision:
        """The evaluator's decision for this resource."""
        return self.outcome.decision

    @property
    def statements(self) -> tuple[StatementRef, ...]:
        """The statements that decided it, in order, without repeats."""
        return self.outcome.statements


def combined(examples: Sequence[Example]) -> Decision | None:
    """`allowed` when some example is; else `undetermined` when some example is; else `explicitDeny` when every
    one is; else `implicitDeny`; None when nothing was tried."""
    if not examples:
        return None
    decisions = {e.decision for e in examples}
    for decision in (Decision.ALLOWED, Decision.UNDETERMINED):
        if decision in decisions:
            return decision
    return Decision.EXPLICIT_DENY if decisions == {Decision.EXPLICIT_DENY} else Decision.IMPLICIT_DENY


@dataclass(frozen=True)
class Examples:
    """Examples and what they say together."""

    examples: tuple[Example, ...]

    @property
    def decision(self) -> Decision | None:
        """`combined` of the examples (None: none tried)."""
        return combined(self.examples)

    @property
    def allowed(self) -> tuple[Example, ...]:
        """The examples allowed."""
        return tuple(e for e in self.examples if e.decision is Decision.ALLOWED)

    @property
    def denied(self) -> tuple[Example, ...]:
        """The examples denied (either deny)."""
        return tuple(e for e in self.examples if e.decision in (Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY))

    @property
    def undetermined(self) -> tuple[Example, ...]:
        """The examples the model's unknowns decide."""
        return tuple(e for e in self.examples if e.decision is Decision.UNDETERMINED)


@dataclass(frozen=True)
class StatementPattern(Examples):
    """A Resource (or NotResource) pattern of statements in play, and the examples of one type it matches."""

    text: str = ""
    negated: bool = False  # NotResource: the statements apply to the resources the pattern does NOT match
    statements: tuple[StatementRef, ...] = ()

    @property
    def element(self) -> str:
        """`Resource` or `NotResource`."""
        return "NotResource" if self.negated else "Resource"


@dataclass(frozen=True)
class TypeAnswer(Examples):
    """One resource type the pattern can match: every example of it, and the statement patterns over it."""

    type: str = ""  # `s3:object`, or ANY_TYPE / NO_RESOURCE
    format: str | None = None  # the ARN format, as the Service Authorization Reference writes it
    patterns: tuple[StatementPattern, ...] = ()


@dataclass(frozen=True)
class PatternAnswer:
    """Is some resource matching `pattern` allowed for `action`? Per type and per statement pattern, with examples."""

    principal: str
    action: str
    pattern: str
    types: tuple[TypeAnswer, ...]
    truncated: bool = False  # more than MAX_EXAMPLES examples: the first ones were tried
    _all: tuple[Example, ...] = field(default=(), repr=False, compare=False)

    @property
    def examples(self) -> tuple[Example, ...]:
        """Every example tried, each once."""
        return self._all

    @property
    def decision(self) -> Decision:
        """`combined` over every example: `allowed` means some resource matching the pattern is allowed."""
        return combined(self._all) or Decision.IMPLICIT_DENY

    @property
    def allowed(self) -> bool:
        """Is some resource matching the pattern allowed?"""
        return self.decision is Decision.ALLOWED

    @property
    def proof(self) -> Example | None:
        """The first example allowed: the resource that proves the pattern allowed."""
        return next((e for e in self._all if e.decision is Decision.ALLOWED), None)

    @property
    def denied_anyway(self) -> bool:
        """Is every example denied, whatever the model's unknowns hold?"""
        return all(e.outcome.denied_anyway for e in self._all)

    @property
    def outcome(self) -> Outcome:
        """The outcome of the deciding example: the proof, else the first example of the combined decision."""
        if self.proof is not None:
            return self.proof.outcome
        decision = self.decision
        return next((e.outcome for e in self._all if e.decision is decision), self._all[0].outcome)

    def lines(self) -> list[str]:
        """The answer in words: the verdict and its example, then per type and statement pattern what was tried."""
        out = [self.verdict()]
        for answer in self.types:
            out.append(f"type {answer.type}: {_counts(answer)}")
            for sp in answer.patterns:
                refs = ", ".join(f"{r.policy_id}#{r.label} ({r.effect.value})" for r in sp.statements)
                out.append(f"  {sp.element} {sp.text} [{refs}]: {_counts(sp)}")
        if self.truncated:
            out.append(f"note: only the first {MAX_EXAMPLES} examples were tried")
        return out

    def verdict(self) -> str:
        """One sentence: what the decision means and which example says so."""
        proof = self.proof
        if proof is not None:
            return f"some resource matching `{self.pattern}` is allowed: `{proof.resource}`"
        tried = len(self._all)
        if self.decision is Decision.UNDETERMINED:
            return f"no example matching `{self.pattern}` is allowed for sure; some are undetermined ({tried} tried)"
        return (
            f"every example matching `{self.pattern}` tried is denied ({tried} tried: the request space's "
            "examples for each type and statement pattern, not every possible ARN)"
        )


def _counts(found: Examples) -> str:
    decision = found.decision
    if decision is None:
        return "no example tried"
    parts = []
    for label, group in (("allowed", found.allowed), ("denied", found.denied), ("undetermined", found.undetermined)):
        if group:
            shown = ", ".join(f"`{e.resource}`" for e in group[:3])
            more = f" and {len(group) - 3} more" if len(group) > 3 else ""
            parts.append(f"{label} {shown}{more}")
    return f"{decision.value}: " + "; ".join(parts)


def answer_pattern(
    space: Harvest,
    ask: Ask,
    principal: str,
    action: str,
    pattern: str,
    caller: str,
    *,
    where: Location | None = None,
    catalogue: ActionCatalogue | None = None,
) -> PatternAnswer:
    """Is some resource matching `pattern` allowed to `principal` for `action`? `space`: the request space's names
    (`harvest` of the model); `ask`: the one evaluator on one resource; `caller`: the ARN (or account id) of who
    finally makes the request, whose account unnamed examples are in."""
    catalogue = catalogue or builtin_catalogue()
    formats = _types(action, pattern, catalogue, where)
    partition, account = _home(caller)
    query = Glob.compile(pattern)
    outcomes: dict[str, Outcome] = {}
    statements: dict[tuple[str, bool], list[StatementRef]] = {}
    extra = [pattern] if pattern != "*" else []
    extra += [m for f in formats or () if (m := meet([pattern, _format_glob(f)])) is not None]
    truncated = False
    for _phase in range(2):  # the examples, then the examples of each statement pattern the first ones showed
        found = _with_patterns(space, extra, account)
        pool = ResourcePool(found)
        klass = action_class([action.lower()], found, catalogue)
        candidates = [r for r in pool.for_key(klass, partition, account) if _fits(r, query, formats)]
        for resource in candidates:
            if resource not in outcomes:
                if len(outcomes) >= MAX_EXAMPLES:
                    truncated = True
                    break
                full = ask(resource)
                _collect(full, action, statements)
                outcomes[resource] = full.slim()
        extra += [m for text, _ in statements if (m := meet([pattern, _starred(text)])) is not None]
        extra = list(dict.fromkeys(extra))
    if not outcomes:
        raise RequestError(f"no example resource matching `{pattern}` could be made for `{action}`", where)
    types = _answers(formats, outcomes, statements, pattern)
    every = tuple({e.resource: e for t in types for e in t.examples}.values())
    return PatternAnswer(principal, action, pattern, types, truncated, every)


def _types(
    action: str, pattern: str, catalogue: ActionCatalogue, where: Location | None
) -> tuple[ArnFormat, ...] | None:
    """The action's resource types the pattern can match (None: the catalogue does not know the action); an error
    when none can."""
    entry = catalogue.get(action)
    if pattern != "*" and not pattern.startswith("arn:"):
        raise RequestError(f"`{pattern}` is not a resource pattern", where, "write an ARN pattern or `*`")
    if entry is None:
        return None
    if not entry.resources:
        if pattern == "*":
            return ()
        message = f"`{entry.name}` takes no resource ARN, only `*`; `{pattern}` matches none"
        raise RequestError(message, where, "use `*`")
    # "An asterisk (*) represents any combination of characters" (reference_policies_elements_resource): a `*`
    # spans `/`, so `arn:aws:s3:::logs-*` matches objects too; a bucket name holds no `/` (docs/semantics.md 16.1)
    fitting = tuple(f for f in entry.resources if f.overlaps(pattern))
    if not fitting:
        types = ", ".join(f"`{f.type}` ({f.text})" for f in entry.resources)
        raise RequestError(
            f"no resource type of `{entry.name}` matches `{pattern}`; it acts on {types}",
            where,
            "write a pattern that can match a resource of one of those types",
        )
    return fitting


def _home(caller: str) -> tuple[str, str]:
    """The partition and account of the caller's ARN (or account id), for examples the model does not name."""
    if is_account_id(caller):
        return "aws", caller
    fields = caller.split(":")
    if caller.startswith("arn:") and len(fields) > 4:
        return fields[1] or "aws", fields[4] if is_account_id(fields[4]) else DEFAULT_ACCOUNT
    return "aws", DEFAULT_ACCOUNT


def _with_patterns(space: Harvest, patterns: Iterable[str], account: str) -> Harvest:
    """The space with more Resource patterns to fill in, and the caller's account (a copy: the caller's harvest is
    left as it was)."""
    return replace(space, resource_patterns={*space.resource_patterns, *patterns}, accounts={*space.accounts, account})


def _fits(resource: str, query: Glob, formats: tuple[ArnFormat, ...] | None) -> bool:
    if formats == ():
        return resource == "*"
    if resource == "*" or not query.matches(resource):
        return False
    return formats is None or any(f.matches(resource) for f in formats)


def _collect(outcome: Outcome, action: str, statements: dict[tuple[str, bool], list[StatementRef]]) -> None:
    """The Resource patterns of the statements covering `action` in the policies the evaluator read."""
    if outcome.policies is None:
        return
    for policy in outcome.policies.every_policy():
        for statement in policy.for_action(action.lower()):
            if statement.resources is not None:
                for text in _texts(statement.resources):
                    refs = statements.setdefault((text, statement.resources.negated), [])
                    if statement.ref not in refs:
                        refs.append(statement.ref)


def _texts(matcher: ResourceMatcher) -> list[str]:
    if matcher.everything:
        return ["*"]
    return sorted(matcher.literals) + [p.text for p in matcher.patterns]


def _answers(
    formats: tuple[ArnFormat, ...] | None,
    outcomes: dict[str, Outcome],
    statements: dict[tuple[str, bool], list[StatementRef]],
    pattern: str,
) -> tuple[TypeAnswer, ...]:
    kinds: list[tuple[str, str | None, Callable[[str], bool]]]
    if formats is None:
        kinds = [(ANY_TYPE, None, lambda r: True)]
    elif not formats:
        kinds = [(NO_RESOURCE, None, lambda r: r == "*")]
    else:
        kinds = [(f"{f.service}:{f.type}", f.text, f.matches) for f in formats]
    # the statement patterns that share a resource with the question, each read once for every type
    overlapping = []
    for (stmt_text, negated), named in sorted(statements.items()):
        starred = _starred(stmt_text)
        if meet([pattern, starred]) is not None:
            overlapping.append((stmt_text, negated, tuple(named), starred, Glob.compile(starred)))
    out = []
    for name, text, of_type in kinds:
        examples = tuple(Example(r, name, o) for r, o in outcomes.items() if of_type(r))
        rows = []
        for stmt_text, negated, refs, starred, glob in overlapping:
            if text is not None and not _overlaps(text, starred):
                continue
            inside = tuple(e for e in examples if glob.matches(e.resource))
            rows.append(StatementPattern(inside, stmt_text, negated, refs))
        out.append(TypeAnswer(examples, name, text, tuple(rows)))
    return tuple(out)


def _overlaps(format_text: str, pattern: str) -> bool:
    fields = format_text.split(":")
    return ArnFormat.compile(fields[2] if len(fields) > 2 else "", "", format_text).overlaps(pattern)


def _starred(text: str) -> str:
    """A statement pattern with each policy variable read as `*` (it can stand for any text)."""
    out, start = [], 0
    while (open_at := text.find("${", start)) >= 0:
        close = text.find("}", open_at)
        if close < 0:
            break
        out += [text[start:open_at], "*"]
        start = close + 1
    return "".join([*out, text[start:]])


def _format_glob(fmt: ArnFormat) -> str:
    """A format with its placeholders as `*`."""
    return PLACEHOLDER.sub("*", fmt.text)


def meet(patterns: Sequence[str]) -> str | None:
    """A wildcard pattern every string of which matches each of `patterns` (`*` any run, `?` one character), or None
    when no string matches them all.

    A depth-first search over tuples of positions, one per pattern: a step skips a `*`, or reads one character that
    every pattern accepts (a `*` stays, a `?` or the same literal advances); where every pattern is at a `*` the meet
    keeps a `*`. The search is exact about existence (it is the product of the patterns' automata), and visits each
    state once (at most MAX_STATES: beyond, None).
    """
    ends = tuple(len(p) for p in patterns)
    parent: dict[tuple[int, ...], tuple[tuple[int, ...], str] | None] = {}
    stack: list[tuple[tuple[int, ...], tuple[tuple[int, ...], str] | None]] = [(tuple(0 for _ in patterns), None)]
    while stack:
        state, link = stack.pop()
        if state in parent:
            continue
        parent[state] = link  # reached first by the most preferred moves
        if state == ends:
            return _path(parent, state)
        if len(parent) >= MAX_STATES:
            return None
        stack += [(step, (state, char)) for step, char in reversed(_steps(patterns, state, ends)) if step not in parent]
    return None


def _steps(patterns: Sequence[str], state: tuple[int, ...], ends: tuple[int, ...]) -> list[tuple[tuple[int, ...], str]]:
    """The moves from `state`, preferred first (so that a meet reads like its patterns): where every pattern is at
    `*`, a `*`; one character every pattern reads with no `*` absorbing it; a `*` skipped; a character a `*` absorbs."""
    heads = [p[i] if i < end else None for p, i, end in zip(patterns, state, ends, strict=True)]
    steps: list[tuple[tuple[int, ...], str]] = []
    if all(h == "*" for h in heads):  # a `*` they all keep, or that one keeps and the others' `*` absorb
        steps.append((tuple(i + 1 for i in state), "*"))
        if len(state) > 1:
            steps += [(tuple(i + 1 if j == k else i for j, i in enumerate(state)), "*") for k in range(len(state))]
    fixed = [h for h in heads if h != "*"]
    read: list[tuple[tuple[int, ...], str]] = []
    if fixed and None not in fixed:
        literals = {h for h in fixed if h is not None and h != "?"}
        if len(literals) <= 1:
            char = next(iter(literals), "?")
            read.append((tuple(i if h == "*" else i + 1 for i, h in zip(state, heads, strict=True)), char))
    absorbing = "*" in heads
    if not absorbing:
        steps += read
    for k, head in enumerate(heads):
        if head == "*":
            steps.append((tuple(i + 1 if j == k else i for j, i in enumerate(state)), ""))
    if absorbing:
        steps += read
    return steps


def _path(parent: dict[tuple[int, ...], tuple[tuple[int, ...], str] | None], state: tuple[int, ...]) -> str:
    out: list[str] = []
    link = parent[state]
    while link is not None:
        out.append(link[1])
        link = parent[link[0]]
    return "".join(reversed(out))
