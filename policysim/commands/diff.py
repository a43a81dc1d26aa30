"""`policysim diff`: the requests whose decision differs between two versions of a model (docs/diff.md)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from policysim.commands.common import EXIT_FAILED, EXIT_OK, fail, library_option, output_targets, progress_bar
from policysim.commands.spread import ClusterOption, WorkersOption, check_spread_options
from policysim.enums import FailOn

if TYPE_CHECKING:
    from policysim.catalogue import ActionCatalogue
    from policysim.diff.compare import Change, Exploration
    from policysim.diff.gate import DiffResult, Gate
    from policysim.diff.sources import FilePair, RevisionTrees
    from policysim.managed import ManagedPolicyLibrary
    from policysim.scenario.api import Scenario

# The diff engine, the catalogue and the scenario API are imported where they are used, when `diff` runs.


def register(app: typer.Typer) -> None:
    """Add the `diff` command to the app."""
    app.command(name="diff")(diff)


def diff(
    paths: Annotated[list[Path] | None, typer.Argument(help="BASE NEW, or PATH... with --base-ref")] = None,
    base_ref: Annotated[str | None, typer.Option(help="git revision of the base: PATH as it was there")] = None,
    new_ref: Annotated[str | None, typer.Option(help="git revision of the new side (default: working tree)")] = None,
    format: Annotated[list[str] | None, typer.Option("--format", "-f", help="text, json or markdown")] = None,
    output: Annotated[list[Path] | None, typer.Option("--output", "-o", help="file for the matching --format")] = None,
    fail_on: Annotated[str | None, typer.Option(help="new-access (default), any-change or never")] = None,
    accept: Annotated[Path | None, typer.Option(help="YAML list of expected changes, each with a reason")] = None,
    managed_policies: Annotated[Path | None, typer.Option(help="more AWS managed policies")] = None,
    catalogue: Annotated[str | None, typer.Option(help="action catalogue: builtin (default), none, or a FILE")] = None,
    config: Annotated[Path | None, typer.Option(help="configuration file")] = None,
    workers: WorkersOption = None,
    cluster: ClusterOption = None,
) -> None:
    """Explore both models' request space and report every request whose decision changed."""
    from policysim.catalogue import catalogue_named
    from policysim.config import load_config
    from policysim.diff.accept import load_acceptances
    from policysim.diff.gate import Gate
    from policysim.diff.render import DIFF_FORMATS
    from policysim.diff.rows import RowStore

    check_spread_options(workers, cluster)
    settings = load_config(Path.cwd(), config)
    targets = output_targets(format or ["text"], output or [], DIFF_FORMATS)
    level = _fail_on(fail_on or settings.fail_on or FailOn.NEW_ACCESS.value)
    accept_file = accept or settings.accept
    acceptances = load_acceptances(accept_file) if accept_file is not None else []
    actions = catalogue_named(catalogue or settings.catalogue or "builtin")
    managed = managed_policies or settings.managed_policies
    if base_ref is None and settings.base_ref is not None and paths is not None and len(paths) == 2:
        # `diff A B` means A against B: a configured base_ref must not turn it into two revision comparisons
        print(
            f"policysim: note: two paths given: the configured base_ref `{settings.base_ref}` is not used",
            file=sys.stderr,
        )
    elif base_ref is None:
        base_ref = settings.base_ref
    with RowStore() as rows:  # the changed rows, spilled to a temporary directory beyond what memory should hold
        gate = Gate(acceptances, level, rows)
        with _inputs(list(paths or settings.paths), base_ref, new_ref, managed) as inputs:
            explorations = _explore_all(inputs, actions, gate, workers, cluster)
        result = gate.result(inputs.base_label, inputs.new_label, explorations)
        for fmt, target in targets:
            _write(fmt, result, target)
    for entry in result.unused:
        print(f"policysim: warning: accept entry at {entry.location} matched no change", file=sys.stderr)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FAILED)


def _write(fmt: str, result: DiffResult, target: Path | None) -> None:
    """Write one report to its file or to standard output, row by row."""
    from policysim.diff.render import write_diff

    if target is None:
        write_diff(fmt, result, sys.stdout)
        return
    try:
        with target.open("w", encoding="utf-8") as out:
            write_diff(fmt, result, out)
    except OSError as error:
        fail(f"cannot write `{target}`: {error.strerror or error}")


def _fail_on(value: str) -> FailOn:
    try:
        return FailOn(value)
    except ValueError:
        fail(f"`--fail-on` must be one of {', '.join(f.value for f in FailOn)}, got `{value}`")


@dataclass(frozen=True)
class _Inputs:
    """The file pairs to compare, their sides' labels, and each side's managed policy library."""

    pairs: list[FilePair]
    base_label: str
    new_label: str
    libraries: tuple[ManagedPolicyLibrary, ManagedPolicyLibrary]


@contextmanager
def _inputs(paths: list[Path], base_ref: str | None, new_ref: str | None, managed: Path | None) -> Iterator[_Inputs]:
    """The inputs of both sides, with git revisions exported to a temporary directory while they are needed."""
    from policysim.diff.sources import RevisionTrees, pair_files, pair_paths

    if base_ref is None:
        if new_ref is not None:
            fail("`--new-ref` needs `--base-ref`")
        if len(paths) != 2:
            fail("give BASE and NEW (two paths), or PATH... with `--base-ref REF`")
        library = library_option(managed)
        yield _Inputs(pair_paths(paths[0], paths[1]), str(paths[0]), str(paths[1]), (library, library))
        return
    if not paths:
        fail("give a PATH to compare at `--base-ref`, or set `paths` in the configuration")
    with tempfile.TemporaryDirectory(prefix="policysim-diff-") as tmp:
        trees = RevisionTrees(Path(tmp))
        pairs: list[FilePair] = []
        for path in paths:
            base, base_label = trees.locate(path, base_ref)
            new, new_label = trees.locate(path, new_ref) if new_ref is not None else (path, str(path))
            pairs += pair_files(base, new, base_label, new_label)
        libraries = (_library_at(managed, base_ref, trees), _library_at(managed, new_ref, trees))
        yield _Inputs(pairs, base_ref, new_ref or "working tree", libraries)


def _library_at(managed: Path | None, ref: str | None, trees: RevisionTrees) -> ManagedPolicyLibrary:
    """The managed policies of one side: a policy file kept in the repository is read as it is at that revision."""
    if managed is None or ref is None or not trees.in_repository(managed):
        return library_option(managed)  # no file, the working tree, or a file outside the repository
    located, _ = trees.locate(managed, ref)
    return library_option(located if located.exists() else None)


def _explore_all(
    inputs: _Inputs, actions: ActionCatalogue | None, gate: Gate, workers: int | None, cluster: str | None
) -> list[Exploration]:
    """Explore each file pair in turn, handing its changes to the gate as they are found (one pair's models in
    memory at a time)."""
    from policysim.diff.compare import explore_into
    from policysim.imports.merge import as_scenario
    from policysim.load import load_file
    from policysim.scenario.api import Scenario
    from policysim.world.evaluator import utc_now

    moment = utc_now()  # one clock for both sides, so aws:CurrentTime conditions cannot differ between them

    def load(path: Path | None, label: str | None, library: ManagedPolicyLibrary) -> Scenario | None:
        if path is None:
            return None
        doc = as_scenario(load_file(path, label), path)  # a plan or a GAAD export is compared as what it imports
        return Scenario.from_document(doc, base_dir=path.parent, library=library, clock=lambda: moment)

    base_library, new_library = inputs.libraries
    explorations: list[Exploration] = []
    with progress_bar("exploring requests") as progress:
        for pair in inputs.pairs:
            base, new = load(pair.base, pair.label_base, base_library), load(pair.new, pair.label_new, new_library)
            # the file rows are reported against, as gate.exploration_file names it: the new one, else the base one
            file = next((s.file for s in (new, base) if s is not None and s.file), "<none>")

            def found(change: Change, file: str = file) -> None:
                gate.add(change, file)

            explorations.append(explore_into(base, new, actions, found, progress, workers=workers, cluster=cluster))
    return explorations
