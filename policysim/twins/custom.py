"""`simulate_custom_policy`: the offline twin of `aws iam simulate-custom-policy`, on the engine.

Every policy string is parsed with positions (`load_json`, labelled like `PolicyInputList[0]`) and compiled with its
kind; each action x resource becomes one `Request` + `PolicySet` for `decide`, after the service rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from policysim.catalogue.fit import action_problem, resource_problem
from policysim.compile import compile_policy
from policysim.compiled import CompiledPolicy
from policysim.context import SOURCE_VPCE
from policysim.engine.outcome import Outcome
from policysim.enums import Gate, PolicyKind
from policysim.errors import Location, RequestError
from policysim.identifiers import is_account_id, is_action_name, is_service_principal
from policysim.ir.arn import parse_arn
from policysim.ir.principal import principal_of_arn
from policysim.load import Document, load_json
from policysim.managed import ManagedPolicyLibrary
from policysim.model.validation import Locator, validate
from policysim.request import ANONYMOUS, Principal, PrincipalKind
from policysim.services.sts import TRUST_ACTIONS
from policysim.twins.discovered import with_discovery
from policysim.twins.input_model import CustomPolicyInput, PrincipalPolicyInput, context_values
from policysim.twins.output import Evaluation, Renderer, StatementSpan, page, statement_positions
from policysim.twins.patterns import pattern_results
from policysim.world.actor import Actor
from policysim.world.evaluator import Clock, Evaluator, utc_now
from policysim.world.resolve import Target, is_role_arn, key_target, unknown_trust_target
from policysim.world.world import AccountInfo, EndpointInfo, World

UNNAMED_ACCOUNT = "000000000000"  # the account of an unnamed caller when no input names one
UNNAMED_CALLER = "policysim-caller"
DEFAULT_SESSION = "policysim"


class PolicyBook:
    """Compiles the input's policy strings and remembers their statement positions by policy id."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.positions: dict[str, dict[int, StatementSpan]] = {}

    def compile(self, text: str, path: tuple[str | int, ...], policy_id: str, kind: PolicyKind) -> CompiledPolicy:
        """Parse and compile one policy string found at `path` of the input."""
        label = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(path))
        policy_doc = load_json(text, label)
        policy = compile_policy(policy_doc, policy_id, kind, source_text=text)
        self.positions[policy_id] = statement_positions(policy_doc, text)
        return policy

    def many(self, texts: list[str] | None, key: str, kind: PolicyKind) -> tuple[CompiledPolicy, ...]:
        """Every policy of a list key, ids `Key.1`, `Key.2`, ... like AWS."""
        return tuple(self.compile(t, (key, i), f"{key}.{i + 1}", kind) for i, t in enumerate(texts or []))


def caller_principal(arn: str | None, account: str | None, where: Location | None) -> Principal:
    """The simulated caller: any principal ARN, a service principal, `*`; None is an unnamed user of `account`."""
    if arn is None:
        acct = account or UNNAMED_ACCOUNT
        return Principal(PrincipalKind.USER, f"arn:aws:iam::{acct}:user/{UNNAMED_CALLER}", acct)
    if arn == "*":
        return ANONYMOUS
    if is_service_principal(arn):
        return Principal(PrincipalKind.SERVICE, arn)
    principal = principal_of_arn(parse_arn(arn, location=where), arn, DEFAULT_SESSION)
    if principal is not None:
        return principal
    raise RequestError(
        f"`{arn}` is not a caller",
        where,
        "a caller is a user, role, role session, federated user or root ARN, a service principal or `*`",
    )


def owner_account(value: str | None, where: Location | None) -> str | None:
    """`ResourceOwner` / `ResourceAccount`: an account id or `arn:aws:iam::ACCOUNT:root`."""
    if value is None:
        return None
    if is_account_id(value):
        return value
    parsed = parse_arn(value, location=where) if value.startswith("arn:") else None
    if parsed is None or parsed.service != "iam" or parsed.resource != "root" or not is_account_id(parsed.account):
        raise RequestError(f"`{value}` is not an account", where, "write `arn:aws:iam::123456789012:root` or the id")
    return parsed.account


@dataclass(frozen=True)
class Inputs:
    """The compiled input: every policy by kind, the caller, the context and the resources."""

    wire: CustomPolicyInput
    book: PolicyBook
    identity: tuple[CompiledPolicy, ...]
    boundary: CompiledPolicy | None
    session: tuple[CompiledPolicy, ...] | None
    scps: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...]
    rcps: tuple[tuple[str, tuple[CompiledPolicy, ...]], ...]
    resource_policy: CompiledPolicy | None
    owner: str | None
    extra: Mapping[str, tuple[str, ...] | None]


def _compile(doc: Document) -> Inputs:
    wire = validate(CustomPolicyInput, doc.data, doc.locate, "simulate-custom-policy input")
    book = PolicyBook(doc)
    boundaries = book.many(
        wire.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList", PolicyKind.BOUNDARY
    )
    if len(boundaries) > 1:
        raise RequestError(
            "only one permissions boundary can be simulated", doc.locate(("PermissionsBoundaryPolicyInputList", 1))
        )
    if wire.ServiceControlPolicyInputList is not None and wire.OrderedOrganizationPolicyInputList is not None:
        raise RequestError(
            "give SCP levels in `OrderedOrganizationPolicyInputList` or `ServiceControlPolicyInputList`, not both",
            doc.locate(("ServiceControlPolicyInputList",)),
        )
    if wire.ResourcePolicy is not None and wire.CallerArn is None:
        raise RequestError(
            "`CallerArn` is required with a `ResourcePolicy`",
            doc.locate(("ResourcePolicy",)),
            "the resource policy's Principal element needs a caller to match",
        )
    scp_key, scp_texts = "ServiceControlPolicyInputList", wire.ServiceControlPolicyInputList
    if wire.OrderedOrganizationPolicyInputList is not None:
        scp_key = "OrderedOrganizationPolicyInputList"
        scp_texts = [level.ServiceControlPolicyInputList for level in wire.OrderedOrganizationPolicyInputList]
    owner = owner_account(wire.ResourceOwner, doc.locate(("ResourceOwner",)))
    account = owner_account(wire.ResourceAccount, doc.locate(("ResourceAccount",)))
    if owner and account and owner != account:
        raise RequestError("`ResourceOwner` and `ResourceAccount` disagree", doc.locate(("ResourceAccount",)))
    return Inputs(
        wire=wire,
        book=book,
        identity=book.many(wire.PolicyInputList, "PolicyInputList", PolicyKind.IDENTITY),
        boundary=boundaries[0] if boundaries else None,
        session=None
        if wire.SessionPolicyInputList is None
        else book.many(wire.SessionPolicyInputList, "SessionPolicyInputList", PolicyKind.SESSION),
        scps=_levels(book, scp_key, scp_texts, PolicyKind.SCP),
        rcps=_levels(book, "ResourceControlPolicyInputList", wire.ResourceControlPolicyInputList, PolicyKind.RCP),
        resource_policy=resource_policy(book, wire, doc.locate),
        owner=owner or account,
        extra=context_values(wire.ContextEntries or [], doc.locate),
    )


def _levels(
    book: PolicyBook, key: str, levels: list[list[str]] | None, kind: PolicyKind
) -> tuple[tuple[str, tuple[CompiledPolicy, ...]], ...]:
    out = []
    for number, texts in enumerate(levels or []):
        name = "root" if number == 0 else ("the account" if number == len(levels or []) - 1 else f"OU {number}")
        path: tuple[str | int, ...] = (
            (key, number, "ServiceControlPolicyInputList") if key.startswith("Ordered") else (key, number)
        )
        policies = tuple(book.compile(t, (*path, i), f"{key}.{number + 1}.{i + 1}", kind) for i, t in enumerate(texts))
        if kind is PolicyKind.RCP:
            policies = (_rcp_full_access(), *policies)
        out.append((f"level {number + 1} ({name})", policies))
    return tuple(out)


def _rcp_full_access() -> CompiledPolicy:
    builtin = ManagedPolicyLibrary.builtin().org_policy("RCPFullAWSAccess")
    assert builtin is not None  # shipped with policysim
    text = builtin.document_text
    return compile_policy(load_json(text, "RCPFullAWSAccess"), "RCPFullAWSAccess", PolicyKind.RCP, text)


def resource_policy(
    book: PolicyBook, wire: CustomPolicyInput | PrincipalPolicyInput, locate: Locator
) -> CompiledPolicy | None:
    """The `ResourcePolicy`; a role's only resource-based policy is its trust policy, compiled as one."""
    if wire.ResourcePolicy is None:
        return None
    roles = [is_role_arn(r) for r in wire.ResourceArns or []]
    if any(roles) and not all(roles):
        raise RequestError(
            "a `ResourcePolicy` given for roles and other resources at once",
            locate(("ResourcePolicy",)),
            "a role's resource policy is its trust policy: simulate the roles apart from the other resources",
        )
    kind = PolicyKind.TRUST if roles and all(roles) else PolicyKind.RESOURCE
    return book.compile(wire.ResourcePolicy, ("ResourcePolicy",), "ResourcePolicy", kind)


def with_endpoint_policy(
    world: World,
    book: PolicyBook,
    wire: CustomPolicyInput | PrincipalPolicyInput,
    extra: Mapping[str, tuple[str, ...] | None],
    locate: Locator,
) -> World:
    """`world` with the `VpcEndpointPolicyInputList` extension: the policy of the one endpoint the requests'
    `aws:SourceVpce` names. Given without that key, it would apply to no request: an error, not a silent skip."""
    texts = wire.VpcEndpointPolicyInputList
    if texts is None:
        return world
    key = "VpcEndpointPolicyInputList"
    if len(texts) != 1:
        raise RequestError(
            f"`{key}` holds {len(texts)} policies; a VPC endpoint has one", locate((key,)), "give one policy"
        )
    named = extra.get(SOURCE_VPCE)
    if not named or len(named) != 1:
        raise RequestError(
            f"`{key}` applies to requests through a VPC endpoint, but `ContextEntries` names none",
            locate((key,)),
            "add the `aws:SourceVpce` context entry with the endpoint's id (one value)",
        )
    policy = book.compile(texts[0], (key, 0), f"{key}.1", PolicyKind.VPC_ENDPOINT)
    endpoints = {**world.vpc_endpoints, named[0]: EndpointInfo(named[0], None, policy)}
    return replace(world, vpc_endpoints=endpoints, endpoint_policies=True)


def endpoint_location(wire: CustomPolicyInput | PrincipalPolicyInput, locate: Locator) -> Location | None:
    """Where `ContextEntries` gives `aws:SourceVpce` (the place an error about the endpoint it names points at)."""
    for index, entry in enumerate(wire.ContextEntries or []):
        if entry.ContextKeyName.lower() == SOURCE_VPCE:
            return locate(("ContextEntries", index))
    return None


def simulate_document(doc: Document, clock: Clock = utc_now) -> dict[str, Any]:
    """Run a simulate-custom-policy input already loaded as a `Document` (positions give located errors)."""
    inputs = _compile(doc)
    wire = inputs.wire
    resources = wire.ResourceArns or ([] if wire.ResourcePatterns else ["*"])
    first = next((_arn_account(r, doc.locate(("ResourceArns", i))) for i, r in enumerate(resources)), None)
    caller = caller_principal(wire.CallerArn, inputs.owner or first, doc.locate(("CallerArn",)))
    if not caller.is_aws_account_identity:
        _no_identity_policies(doc, wire, str(caller))
    extra = dict(inputs.extra)
    if wire.CallerArn is None:  # an unnamed caller: nothing is known about it, so nothing is derived
        for key in ("aws:principalarn", "aws:username", "aws:principalaccount", "aws:principaltype"):
            extra.setdefault(key, None)
    targets = [_target(r, inputs, caller, doc.locate(("ResourceArns", i))) for i, r in enumerate(resources)]
    world = with_endpoint_policy(_world(inputs, caller, targets), inputs.book, wire, extra, doc.locate)
    vpce_at = endpoint_location(wire, doc.locate)
    account = world.account(caller.account) if caller.account else None
    root = caller.kind is PrincipalKind.ROOT
    actor = Actor(caller, inputs.identity, inputs.boundary, inputs.session, root=root, account=account)
    evaluator = Evaluator(world, clock)
    renderer = Renderer(inputs.book.positions)
    results = []
    check_requests(wire.ActionNames, resources if wire.ResourceArns else [], doc.locate, frozenset())
    for action in wire.ActionNames:
        for resource, target in zip(resources, targets, strict=True):
            governed = with_resource_policy(target, action, inputs.resource_policy)
            outcome = evaluator.evaluate(actor, action, governed, extra, vpce_at)
            outcome = with_discovery(wire.SimulationMode, outcome, evaluator, (actor, action, governed), extra, vpce_at)
            assert outcome.policies is not None  # the evaluator records what it evaluated
            results.append(renderer.result(Evaluation(action, resource, outcome, outcome.policies)))
    if wire.ResourcePatterns:  # policysim extension: requests over resource patterns (twins/patterns.py)

        def evaluate(action: str, resource: str) -> Outcome:
            target = _target(resource, inputs, caller, doc.locate(("ResourcePatterns",)))
            governed = with_resource_policy(target, action, inputs.resource_policy)
            if target.account in world.accounts:
                return evaluator.evaluate(actor, action, governed, extra, vpce_at)
            wider = _world(inputs, caller, [*targets, target])
            wider = with_endpoint_policy(wider, inputs.book, wire, extra, doc.locate)
            return Evaluator(wider, clock).evaluate(actor, action, governed, extra, vpce_at)  # its account's RCPs too

        patterns, named = wire.ResourcePatterns, wire.ResourceArns or []
        results += pattern_results(wire.ActionNames, patterns, evaluate, caller, named, renderer, doc.locate)
    return page(results, wire.MaxItems, wire.Marker, doc.locate(("Marker",)))


def _world(inputs: Inputs, caller: Principal, targets: list[Target]) -> World:
    """The small world the input describes: the caller's and the resources' accounts, with the given SCPs/RCPs.
    Without `VpcEndpointPolicyInputList` it evaluates no endpoint policy, as AWS's simulator does not."""
    accounts = {t.account for t in targets if t.account} | ({caller.account} if caller.account else set())
    infos = {
        a: AccountInfo(a, None, caller.partition, scp_levels=inputs.scps, rcp_levels=inputs.rcps) for a in accounts
    }
    return World(infos, {}, {}, {}, {}, endpoint_policies=False)


def _no_identity_policies(doc: Document, wire: CustomPolicyInput, caller: str) -> None:
    """Anonymous callers and service principals hold no identity, boundary or session policies: refuse them."""
    for key in ("PolicyInputList", "PermissionsBoundaryPolicyInputList", "SessionPolicyInputList"):
        if getattr(wire, key):
            raise RequestError(
                f"the caller `{caller}` has no identity-based policies, but `{key}` gives some",
                doc.locate((key,)),
                "give an empty `PolicyInputList`; only the resource policy can grant this caller",
            )


def check_requests(
    actions: list[str],
    resources: list[str],
    locate: Callable[[tuple[str | int, ...]], Location],
    accepted: frozenset[str],
) -> None:
    """Every action is a documented action name (or `accepted`, newer than the catalogue) and every resource is of a
    type each action acts on: as AWS's simulator, the twins refuse a request that cannot exist rather than answer it.
    """
    for a_index, action in enumerate(actions):
        where = locate(("ActionNames", a_index))
        if not is_action_name(action):
            raise RequestError(
                f"`{action}` is not an action name", where, "write `service:Action`; the simulator takes no wildcards"
            )
        problem = action_problem(action, accepted)
        if problem is not None:
            raise RequestError(problem.message, where, problem.hint)
        for r_index, resource in enumerate(resources):
            problem = resource_problem(action, resource)
            if problem is not None:
                raise RequestError(problem.message, locate(("ResourceArns", r_index)), problem.hint)


def _arn_account(resource: str, where: Location) -> str | None:
    if resource == "*":
        return None
    account = parse_arn(resource, location=where).account
    return account if is_account_id(account) else None


def _target(resource: str, inputs: Inputs, caller: Principal, where: Location) -> Target:
    """The resource with its owner; a KMS key's policy must allow."""
    in_arn = _arn_account(resource, where)
    if in_arn and inputs.owner and in_arn != inputs.owner:
        raise RequestError(f"the resource owner `{inputs.owner}` disagrees with the ARN `{resource}`", where)
    account = in_arn or inputs.owner or caller.account or UNNAMED_ACCOUNT
    partition = parse_arn(resource, location=where).partition if resource != "*" else caller.partition
    return key_target(Target(resource, account, partition))


def with_resource_policy(target: Target, action: str, policy: CompiledPolicy | None) -> Target:
    """`target` under the input's `ResourcePolicy` (None: not given), for `action`.

    A role's only resource-based policy is its trust policy: it governs the trust actions, and for them it must
    allow (a role whose trust policy is not known allows nobody); other actions on a role have no resource policy.
    """
    if is_role_arn(target.arn):
        if action.lower() not in TRUST_ACTIONS:
            return replace(target, policy=None, must_allow=False, gate=Gate.RESOURCE, absent=None)
        if policy is not None:
            return replace(target, policy=policy, must_allow=True, gate=Gate.TRUST, absent=None)
        return target if target.gate is Gate.TRUST else unknown_trust_target(target)
    if policy is None:
        return target
    return key_target(replace(target, policy=policy, absent=None))


def simulate_custom_policy(data: Mapping[str, Any], *, clock: Clock = utc_now) -> dict[str, Any]:
    """The offline `aws iam simulate-custom-policy`: AWS's input keys in, AWS's `SimulatePolicyResponse` out.

    Raises `policysim.errors.InputError` (located) for invalid input; a completed simulation returns whatever
    the decisions. `clock` fixes `aws:CurrentTime` / `aws:EpochTime` unless `ContextEntries` gives them.
    """
    doc = Document.from_data(data, "<input>")
    return simulate_document(doc, clock)
