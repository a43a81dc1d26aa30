"""The `policysim` command: thin; loads, runs, reports, and maps results to exit codes.

Exit codes (contracts.md): 0 every expectation met, 1 one not met, 2 invalid input, 3 internal error.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from policysim.commands import diff as diff_command
from policysim.commands import explain as explain_command
from policysim.commands import simulate as simulate_commands
from policysim.commands import sts as sts_commands
from policysim.commands.common import (
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    fail,
    library_option,
    output_targets,
    write_output,
)
from policysim.errors import InputError, Location, PolicysimError
from policysim.report import FORMATS

if TYPE_CHECKING:
    from policysim.config import Config
    from policysim.report.model import ScenarioRun

# Start-up (docs/architecture.md): this module imports only typer and the command modules, which import what each
# command needs when it runs. What `check` needs (the scenario API, the loaders, the configuration, the reporter
# of the chosen format) is imported inside the functions below.


def __getattr__(name: str) -> Any:
    """`Scenario` and `scan_directory`, the names `check` uses, still reachable here (tests patch them)."""
    if name == "Scenario":
        from policysim.scenario.api import Scenario

        return Scenario
    if name == "scan_directory":
        from policysim.load import scan_directory

        return scan_directory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


app = typer.Typer(
    name="policysim",
    help="Offline AWS IAM policy simulator: would AWS allow this request, and why?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)




@dataclass
class Collected:
    """What the PATHs name, in order: scenario files to run and, in their place, the paths that could not be
    checked (each a run with an input error, so the run exits 2); and the YAML files skipped as not scenarios."""

    entries: list[Path | ScenarioRun] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def collect(paths: Sequence[Path]) -> Collected:
    """The scenario files named: files as given, directories searched for *.yaml / *.yml.

    Under a directory a YAML file is run when it is a scenario (`policysim.load.is_scenario_file`, the rule the
    pytest plugin uses too) and skipped, listed, when it is not. A YAML path under a directory that cannot be read
    (a broken symbolic link, a FIFO or device, no permission, too large) is an error, and so is a directory
    without any scenario: a gate that checked less than it was given must not pass.
    """
    found = Collected()
    for path in paths:
        if path.is_dir():
            _collect_directory(path, found)
        elif path.exists() or path.is_symlink():
            found.entries.append(path)  # named explicitly: loaded as a scenario, whatever it holds
        else:
            fail(f"{path}: no such file or directory")
    return found


def _collect_directory(directory: Path, found: Collected) -> None:
    from policysim.load import NOT_A_SCENARIO, scan_directory
    from policysim.report.model import ScenarioRun

    scan = scan_directory(directory)
    found.entries += [ScenarioRun(str(path), "", (), error) for path, error in scan.unreadable]
    found.entries += scan.scenarios
    found.skipped += scan.skipped
    if not scan.scenarios and not scan.unreadable:
        count = len(scan.skipped)
        also = f" ({count} YAML file{'s' if count != 1 else ''} skipped: {NOT_A_SCENARIO})" if count else ""
        error = InputError(
            f"no scenario found under `{directory}`{also}",
            Location(str(directory)),
            hint="a scenario is a .yaml or .yml file with a top-level `scenario` key",
        )
        found.entries.append(ScenarioRun(str(directory), "", (), error))


def run_file(path: Path, library_file: Path | None) -> ScenarioRun:
    """Load and run one scenario file; an input error becomes the run's `error`."""
    from policysim.report.model import ScenarioRun
    from policysim.scenario.api import Scenario

    try:
        scenario = Scenario.load(path, library=library_option(library_file))
        return ScenarioRun(str(path), scenario.title, tuple(scenario.run_tests()))
    except PolicysimError as error:
        return ScenarioRun(str(path), "", (), error)


def run_entry(entry: Path | ScenarioRun, library_file: Path | None) -> ScenarioRun:
    """Run a collected scenario file; a path that could not be checked is already its (failed) run."""
    from policysim.report.model import ScenarioRun

    return entry if isinstance(entry, ScenarioRun) else run_file(entry, library_file)


def _progress(
    files: Sequence[Path | ScenarioRun], work: Callable[[Path | ScenarioRun], ScenarioRun]
) -> list[ScenarioRun]:
    """Run `work` over the files, with a progress bar on a terminal when the run is long."""
    if not (sys.stderr.isatty() and len(files) > 3):
        return [work(f) for f in files]
    from rich.progress import Progress

    runs = []
    with Progress(transient=True, console=None) as progress:
        task = progress.add_task("checking scenarios", total=len(files))
        for path in files:
            runs.append(work(path))
            progress.advance(task)
    return runs


@app.command()
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="scenario files or directories (default: `paths` of the configuration)")
    ] = None,
    format: Annotated[list[str] | None, typer.Option("--format", "-f", help=f"one of {', '.join(FORMATS)}")] = None,
    output: Annotated[list[Path] | None, typer.Option("--output", "-o", help="file for the matching --format")] = None,
    managed_policies: Annotated[
        Path | None, typer.Option(help="more AWS managed policies (get-account-authorization-details output)")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="explain passing tests too")] = False,
    config_file: Annotated[
        Path | None,
        typer.Option("--config", help="configuration file (default: .policysim.yaml or pyproject.toml, searched up)"),
    ] = None,
) -> None:
    """Run every test of every scenario and report; exit 1 when an expectation is not met.

    Options beat environment variables (POLICYSIM_*), which beat the configuration file.
    """
    from policysim.config import load_config
    from policysim.report.model import RunSummary

    config = load_config(Path.cwd(), config_file)
    reports = output_targets(format or list(config.formats) or ["text"], output or [], FORMATS)
    targets = paths or list(config.paths)
    if not targets:
        fail("give a PATH or set `paths` in the configuration")
    library = managed_policies or config.managed_policies
    found = collect(targets)
    runs = _progress(found.entries, lambda entry: run_entry(entry, library))
    runs = _suppress(config, runs, partial=any(p.is_file() for p in paths or ()))  # files named: pre-commit
    _write_reports(runs, reports, verbose, found.skipped)
    summary = RunSummary(tuple(runs))
    if summary.errors:
        for run in runs:
            if run.error is not None:
                print(f"policysim: error: {run.error.render()}", file=sys.stderr)
        raise typer.Exit(EXIT_INPUT)
    raise typer.Exit(EXIT_FAILED if summary.failed else EXIT_OK)


def _suppress(config: Config, runs: list[ScenarioRun], partial: bool) -> list[ScenarioRun]:
    """Mark the tests the configuration suppresses as skipped; warn about suppressions that matched nothing."""
    from policysim.report.suppress import apply_suppressions

    runs, unused = apply_suppressions(config, runs, Path.cwd(), partial=partial)
    for suppression in unused:
        print(f"policysim: warning: {suppression} matched no test", file=sys.stderr)
    return runs


def _write_reports(
    runs: list[ScenarioRun], targets: Sequence[tuple[str, Path | None]], verbose: bool, skipped: Sequence[Path] = ()
) -> None:
    """Render every format: to its --output file, or (at most one) to standard output.

    The YAML files skipped under a directory are listed in the text report (before the summary line) and as
    `skipped_files` in the JSON report.
    """
    from policysim.load import NOT_A_SCENARIO
    from policysim.report import render

    for fmt, target in targets:
        color = target is None and fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        if fmt == "json":
            from policysim.report.json_report import report_document

            document = report_document(runs)
            document["skipped_files"] = [{"file": str(path), "reason": NOT_A_SCENARIO} for path in skipped]
            text = json.dumps(document, indent=2, ensure_ascii=True) + "\n"
        else:
            text = render(fmt, runs, color=color, verbose=verbose)
            if fmt == "text" and skipped:
                text = _with_skipped(text, skipped)
        write_output(text, target)


def _with_skipped(text: str, skipped: Sequence[Path]) -> str:
    """The text report with one `skipped FILE: not a scenario ...` line per skipped file before its summary."""
    from policysim.load import NOT_A_SCENARIO
    from policysim.report.common import visible

    lines = text.splitlines(keepends=True)
    listed = [f"- skipped {visible(str(path))}: {NOT_A_SCENARIO}\n" for path in skipped]
    return "".join([*lines[:-1], *listed, *lines[-1:]])


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from policysim.model.scenario import ScenarioFile

    document = ScenarioFile.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "policysim scenario"
    print(json.dumps(document, indent=2))


explain_command.register(app)
diff_command.register(app)
sts_commands.register(app)
simulate_commands.register(app)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point: run the app, turning stray errors into exit codes 2 (input) and 3 (internal)."""
    try:
        code = app(args=list(argv) if argv is not None else None, standalone_mode=False)
    except PolicysimError as error:
        print(f"policysim: error: {error.render()}", file=sys.stderr)
        sys.exit(EXIT_INPUT)
    except typer.Abort:
        print("policysim: aborted", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
    except typer.TyperException as error:  # usage errors: unknown option, missing argument, bad value
        print(f"policysim: error: {error}\ntry `policysim --help`", file=sys.stderr)
        sys.exit(EXIT_INPUT)
    except Exception as error:
        print(f"policysim: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        if os.environ.get("POLICYSIM_DEBUG"):
            traceback.print_exc()
        else:
            print("this is a bug in policysim; set POLICYSIM_DEBUG=1 for the traceback", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
