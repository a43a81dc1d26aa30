"""The twins' `ResourcePatterns` extension: requests over resource patterns, which AWS's simulator has no mode for.

Each pattern gives one `EvaluationResult` per action whose `EvalResourceName` is the pattern and whose `EvalDecision`
is `allowed` when some resource matching it is allowed (queries/patterns.py: example resources, each evaluated as a
`ResourceArns` entry would be); the rest of the result is the deciding example's, and `PatternDecisionDetails` holds
the breakdown per resource type and statement pattern.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from policysim.engine.outcome import Outcome
from policysim.model.validation import Locator
from policysim.queries.patterns import Example, Examples, PatternAnswer, answer_pattern
from policysim.request import Principal
from policysim.space.harvest import Harvest
from policysim.twins.output import Evaluation, Renderer

Evaluate = Callable[[str, str], Outcome]  # (action, resource) -> the outcome, as a `ResourceArns` entry gets it


def pattern_results(
    actions: Sequence[str],
    patterns: Sequence[str],
    evaluate: Evaluate,
    caller: Principal,
    named: Sequence[str],
    renderer: Renderer,
    locate: Locator,
    space: Harvest | None = None,
) -> list[dict[str, Any]]:
    """One result per action x pattern (actions outer, as for `ResourceArns`); `space`: what the examples are drawn
    from (default: the `named` resources and the caller's account)."""
    if space is None:
        space = Harvest(resources=set(named), accounts={caller.account} if caller.account else set())
    else:
        space.resources.update(named)
    home = caller.account or str(caller)
    out = []
    for action in actions:
        for index, pattern in enumerate(patterns):
            answer = answer_pattern(
                space,
                lambda resource, action=action: evaluate(action, resource),  # type: ignore[misc]
                str(caller),
                action,
                pattern,
                home,
                where=locate(("ResourcePatterns", index)),
            )
            deciding = answer.proof or next(e for e in answer.examples if e.outcome is answer.outcome)
            full = evaluate(action, deciding.resource)  # the deciding example again, with its analysis
            assert full.policies is not None  # the evaluator records what it evaluated
            result = renderer.result(Evaluation(action, pattern, full, full.policies))
            result["EvalDecision"] = answer.decision.value
            result["PatternDecisionDetails"] = details(answer, renderer)
            out.append(result)
    return out


def details(answer: PatternAnswer, renderer: Renderer) -> dict[str, Any]:
    """`PatternDecisionDetails`: the verdict and its example, then per resource type and statement pattern."""
    proof = answer.proof
    return {
        "EvalResourcePattern": answer.pattern,
        "EvalDecision": answer.decision.value,
        "Meaning": answer.verdict(),
        "DecidingExample": proof.resource if proof is not None else None,
        "ExamplesTried": len(answer.examples),
        "ResourceTypes": [
            {
                "ResourceType": t.type,
                "ArnFormat": t.format,
                "EvalDecision": t.decision.value if t.decision is not None else None,
                **_examples(t, renderer),
                "StatementPatterns": [
                    {
                        "Element": sp.element,
                        "Pattern": sp.text,
                        "Statements": [renderer.source(ref) for ref in sp.statements],
                        "EvalDecision": sp.decision.value if sp.decision is not None else None,
                        **_examples(sp, renderer),
                    }
                    for sp in t.patterns
                ],
            }
            for t in answer.types
        ],
    }


def _examples(found: Examples, renderer: Renderer) -> dict[str, Any]:
    def one(example: Example) -> dict[str, Any]:
        return {
            "EvalResourceName": example.resource,
            "EvalDecision": example.decision.value,
            "DecidingStatements": [renderer.source(ref) for ref in example.statements],
        }

    return {
        "AllowedExamples": [one(e) for e in found.allowed],
        "DeniedExamples": [one(e) for e in found.denied],
        "UndeterminedExamples": [one(e) for e in found.undetermined],
    }
