"""The graph as Mermaid (a flowchart GitHub renders in Markdown), Graphviz DOT, JSON (`format_version`), and SVG
through Graphviz's `dot` when it is installed (docs/queries.md "graph").

Mermaid and DOT draw the nodes that have an edge (or, with `--to`, the routes into the target): `become` edges
solid, `empower` edges thick (Mermaid) or bold (DOT), undetermined and conditional edges dashed; nodes that can give
themselves any permission (`admin`) are marked. JSON holds every node, edge and request.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from typing import Any

from policysim.compiled import StatementRef
from policysim.errors import UnsupportedError
from policysim.space.callers import Caller, CallerKind

from .escalation import Family
from .graph import ADMIN, Edge, EdgeRequest, Graph, Route

GRAPH_FORMATS = ("mermaid", "dot", "svg", "json", "text", "markdown")
FORMAT_VERSION = "1"
ADMIN_MEANING = (
    "a principal that can give itself any permission: an `empower` edge to itself (it may attach or put a policy on"
    " itself or on one of its groups, or write a new default version of a policy attached to it; and, when it has a"
    " permissions boundary, delete it) and, when its own policies hold a Deny, the removal of each (deleting and"
    " detaching its policies, leaving its groups), each request allowed by the evaluator; within its SCPs"
)
INSTALL_GRAPHVIZ = (
    "install Graphviz, which provides `dot`: `apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz`"
    " (macOS); the PyPI package `graphviz` is only a Python interface to it and does not provide `dot`"
)
SVG_SECONDS = 120


def render_graph(fmt: str, result: Graph, file: str = "") -> str:
    """The graph in `fmt` (one of GRAPH_FORMATS), ending with a newline."""
    if fmt == "mermaid":
        return mermaid(result)
    if fmt == "dot":
        return dot(result)
    if fmt == "svg":
        return svg(dot(result))
    if fmt == "json":
        return json.dumps(document(result, file), indent=2, ensure_ascii=True) + "\n"
    if fmt in ("text", "markdown"):
        return listing(result, markdown=fmt == "markdown")
    raise ValueError(f"unknown graph format `{fmt}`")


# ------------------------------------------------------------------ what is drawn


def drawn(result: Graph) -> tuple[list[Caller], list[Edge]]:
    """The nodes and edges a picture shows: the routes' with `to`, else every edge and the nodes they touch."""
    if result.to is not None:
        edges = list(dict.fromkeys(e for route in result.routes for e in route.edges))
        keys = {route.source for route in result.routes} | {result.to}
    else:
        edges = list(result.edges)
        keys = set(result.admins)
    keys |= {e.source for e in edges} | {e.target for e in edges}
    return [node for node in result.nodes if node.key in keys], edges


def node_label(node: Caller) -> str:
    """`user David (111111111111)`, `role UpdateData (999999999999)`, or the caller's own label."""
    if node.kind in (CallerKind.USER, CallerKind.ROLE):
        name = node.key.rsplit("/", 1)[-1]
        return f"{node.kind.value.split()[0]} {name} ({node.account})"
    return node.label


def statement_label(ref: StatementRef) -> str:
    """A deciding statement, short: the end of its policy id and its Sid or position."""
    return f"{ref.policy_id.rsplit(':', 1)[-1]} {ref.label}"


def edge_label(edge: Edge) -> list[str]:
    """The edge's kind (marked when conditional, with its conditions, or undetermined), then its deciding
    statements."""
    if edge.certain:
        head = [edge.kind.name]
    elif edge.conditional:
        conditions = [r.conditions for r in edge.requests if r.conditions]
        head = [f"{edge.kind.name} (conditional)", *(f"if {c}" for c in conditions)]
    else:
        head = [f"{edge.kind.name} (undetermined)"]
    return [*head, *(statement_label(s) for s in edge.statements)]


# ------------------------------------------------------------------ Mermaid


def mermaid_text(text: str) -> str:
    """Text safe inside a quoted Mermaid label: `#` and the characters Mermaid reads as entity codes."""
    out = text.replace("#", "#35;")
    for char, code in (('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("|", "#124;"), ("`", "#96;")):
        out = out.replace(char, code)
    return " ".join(out.split())  # no line breaks inside a label


def mermaid(result: Graph) -> str:
    """A Mermaid flowchart, left to right."""
    nodes, edges = drawn(result)
    ids = {node.key: f"n{index}" for index, node in enumerate(nodes)}
    lines = ["flowchart LR"]
    for node in nodes:
        admin = " (admin)" if node.key in result.admins else ""
        lines.append(f'  {ids[node.key]}["{mermaid_text(node_label(node) + admin)}"]')
    for edge in edges:
        arrow = "-.->" if not edge.certain else "==>" if edge.kind.family is Family.EMPOWER else "-->"
        label = "<br/>".join(mermaid_text(part) for part in edge_label(edge))
        lines.append(f'  {ids[edge.source]} {arrow}|"{label}"| {ids[edge.target]}')
    admins = [ids[key] for key in sorted(result.admins) if key in ids]
    if admins:
        lines.append("  classDef admin stroke:#c00,stroke-width:3px")
        lines.append(f"  class {','.join(admins)} admin")
    if result.to is not None and result.to in ids:
        lines.append("  classDef target fill:#fde")
        lines.append(f"  class {ids[result.to]} target")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ text and Markdown


def listing(result: Graph, *, markdown: bool) -> str:
    """The routes (with `to`) or the edges, one per line with the requests that allow them and their statements;
    Markdown adds the Mermaid picture in a fenced block (GitHub renders it in a pull-request comment)."""
    labels = {node.key: node_label(node) for node in result.nodes}

    def name(key: str) -> str:
        return f"`{labels.get(key, key)}`" if markdown else labels.get(key, key)

    def bullet(depth: int, text: str) -> str:
        return ("  " * depth + "- " + text) if markdown else ("  " * (depth + 1) + text)

    def edge_lines(edge: Edge, depth: int) -> list[str]:
        state = "" if edge.certain else " (conditional)" if edge.conditional else " (undetermined)"
        out = [bullet(depth, f"{name(edge.source)} -> {name(edge.target)}: {edge.kind.name}{state}")]
        for request in edge.requests:
            refs = "; ".join(statement_label(ref) for ref in request.statements) or "-"
            what = f"{request.action} on {request.resource}"
            decided = f"{request.outcome.decision.value} by {refs}"
            if request.conditions:
                decided = f"allowed only if {request.conditions} (as asked: {decided})"
            out.append(bullet(depth + 1, f"{what}: {decided}"))
        return out

    title = "who can become whom" if result.to is None else f"who can reach {result.to}"
    admins = ", ".join(name(key) for key in sorted(result.admins)) or "none"
    out = [f"# {title}" if markdown else title]
    out.append(f"{len(result.nodes)} principals, {len(result.edges)} edges, {result.requests} requests evaluated")
    out.append(f"admin (can give itself any permission): {admins}")
    if markdown:
        out += ["", "```mermaid", mermaid(result).rstrip("\n"), "```"]
    if result.to is not None:
        out += ["", "## routes, shortest first" if markdown else "routes, shortest first:"]
        if not result.routes:
            out.append(bullet(0, "none"))
        for route in result.routes:
            hops = len(route.edges)
            out.append(bullet(0, f"{name(route.source)}: {hops} edge{'s' if hops != 1 else ''}"))
            for edge in route.edges:
                out += edge_lines(edge, 1)
    else:
        out += ["", "## edges" if markdown else "edges:"]
        if not result.edges:
            out.append(bullet(0, "none"))
        for edge in result.edges:
            out += edge_lines(edge, 0)
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ Graphviz


def dot_text(text: str) -> str:
    """A DOT double-quoted string's content."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def dot(result: Graph) -> str:
    """A Graphviz digraph, left to right."""
    nodes, edges = drawn(result)
    lines = ["digraph policysim {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    lines.append('  edge [fontname="Helvetica", fontsize=10];')
    for node in nodes:
        style = ', color="#cc0000", penwidth=3' if node.key in result.admins else ""
        style += ', style=filled, fillcolor="#ffddee"' if node.key == result.to else ""
        admin = " (admin)" if node.key in result.admins else ""
        lines.append(f'  "{dot_text(node.key)}" [label="{dot_text(node_label(node) + admin)}"{style}];')
    for edge in edges:
        label = "\\n".join(dot_text(part) for part in edge_label(edge))
        style = ", style=dashed" if not edge.certain else ", style=bold" if edge.kind.family is Family.EMPOWER else ""
        lines.append(f'  "{dot_text(edge.source)}" -> "{dot_text(edge.target)}" [label="{label}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg(source: str) -> str:
    """The DOT source laid out by Graphviz's `dot -Tsvg`; an error naming the package when `dot` is missing."""
    program = shutil.which("dot")
    if program is None:
        raise UnsupportedError("`--format svg` needs Graphviz's `dot`, which is not installed", None, INSTALL_GRAPHVIZ)
    try:
        done = subprocess.run(
            [program, "-Tsvg"], input=source, capture_output=True, text=True, timeout=SVG_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UnsupportedError(f"`dot -Tsvg` could not run: {error}", None, INSTALL_GRAPHVIZ) from error
    if done.returncode != 0:
        raise UnsupportedError(f"`dot -Tsvg` failed: {done.stderr.strip()}", None, "check the Graphviz installation")
    return done.stdout if done.stdout.endswith("\n") else done.stdout + "\n"


# ------------------------------------------------------------------ JSON


def document(result: Graph, file: str = "") -> dict[str, Any]:
    """The JSON report: every node, edge (with its requests) and route."""
    return {
        "format_version": FORMAT_VERSION,
        "model": file,
        "to": result.to,
        "admin": ADMIN_MEANING,
        "nodes": [
            {
                "id": node.key,
                "label": node_label(node),
                "kind": node.kind.value,
                "account": node.account,
                "admin": node.key in result.admins,
            }
            for node in result.nodes
        ],
        "edges": [_edge(edge) for edge in result.edges],
        "paths": [_route(route) for route in result.routes] if result.to is not None else None,
        "summary": {
            "nodes": len(result.nodes),
            "edges": len(result.edges),
            "undetermined_edges": len(result.undetermined),
            "admins": len(result.admins),
            "paths": len(result.routes),
            "requests": result.requests,
        },
    }


def _edge(edge: Edge) -> dict[str, Any]:
    return {
        "source": edge.source,
        "target": edge.target,
        "kind": edge.kind.name,
        "family": edge.kind.family.value,
        "decision": edge.decision.value,
        **({"conditional": True} if edge.conditional else {}),
        "statements": _statements(edge.statements),
        "requests": [_request(r) for r in edge.requests],
    }


def _request(request: EdgeRequest) -> dict[str, Any]:
    out: dict[str, Any] = {
        "principal": request.principal,
        "action": request.action,
        "resource": request.resource,
        "context": {key: list(values) for key, values in request.context},
        "decision": request.outcome.decision.value,
        "statements": _statements(request.statements),
    }
    if request.hypothetical:
        out["hypothetical"] = "judged under the trust policy the source would write, naming it"
    if request.outcome.unknowns:
        out["unknowns"] = [{"reason": u.reason, "source": u.source} for u in request.outcome.unknowns]
    if request.conditional and request.outcome.discovery is not None:
        out["conditions"] = request.conditions
        out["discovery"] = request.outcome.discovery.document()
    return out


def _statements(refs: Iterable[StatementRef]) -> list[dict[str, Any]]:
    return [
        {
            "policy": ref.policy_id,
            "kind": ref.kind.value,
            "statement": ref.label,
            "effect": ref.effect.value,
            "location": str(ref.location) if ref.location is not None else None,
        }
        for ref in refs
    ]


def _route(route: Route) -> dict[str, Any]:
    return {
        "source": route.source,
        "length": len(route.edges),
        "decision": "allowed" if route.certain else "undetermined",
        "steps": [{"source": e.source, "target": e.target, "kind": e.kind.name} for e in route.edges],
    }


__all__ = ["ADMIN", "GRAPH_FORMATS", "render_graph"]
