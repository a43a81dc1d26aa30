"""The `policysim` command: thin; loads, runs, reports, and maps results to exit codes.

Exit codes (contracts.md): 0 every expectation met, 1 one not met, 2 invalid input, 3 internal error.

Start-up (docs/architecture.md): importing this module imports neither typer nor any command module, and `check`
imports what it needs when it runs. `main` runs a plain `policysim check` command line (`plain_check`) without
typer; every other command line goes to the typer app, which `build_app` builds with every command.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, NoReturn

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
    import typer

    from policysim.config import Config
    from policysim.report.model import ScenarioRun


def __getattr__(name: str) -> Any:
    """`app` (built on first use), and `Scenario` and `scan_directory`, the names `check` uses (tests patch them)."""
    if name == "app":
        app = build_app()
        globals()["app"] = app
        return app
    if name == "Scenario":
        from policysim.scenario.api import Scenario

        return Scenario
    if name == "scan_directory":
        from policysim.load import scan_directory

        return scan_directory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        return ScenarioRun(str(path), scenario.title, tuple(scenario.run_tests()), notes=scenario.notes)
    except PolicysimError as error:
        return ScenarioRun(str(path), "", (), error)


def run_entry(entry: Path | ScenarioRun, library_file: Path | None) -> ScenarioRun:
    """Run a collected scenario file; a path that could not be checked is already its (failed) run."""
    from policysim.report.model import ScenarioRun

    return entry if isinstance(entry, ScenarioRun) else run_file(entry, library_file)


def _progress(
    files: Sequence[Path | ScenarioRun], work: Callable[[Path | ScenarioRun], ScenarioRun], workers: int | None
) -> list[ScenarioRun]:
    """Run `work` over the files (over `workers` processes: `policysim.parallel`), in order, with a progress bar on
    a terminal when the run is long."""
    from policysim.parallel import fork_map

    runs = fork_map(work, files, workers)
    if not (sys.stderr.isatty() and len(files) > 3):
        return list(runs)
    from rich.progress import Progress

    done = []
    with Progress(transient=True, console=None) as progress:
        task = progress.add_task("checking scenarios", total=len(files))
        for run in runs:
            done.append(run)
            progress.advance(task)
    return done


def run_check(
    paths: list[Path] | None,
    format: list[str] | None,
    output: list[Path] | None,
    managed_policies: Path | None,
    verbose: bool,
    config_file: Path | None,
    workers: int | None = None,
) -> int:
    """`policysim check` (declared in `build_app`, read without typer by `plain_check`): its exit code."""
    from policysim.config import load_config
    from policysim.report.model import RunSummary

    config = load_config(Path.cwd(), config_file)
    reports = output_targets(format or list(config.formats) or ["text"], output or [], FORMATS)
    targets = paths or list(config.paths)
    if not targets:
        fail("give a PATH or set `paths` in the configuration")
    library = managed_policies or config.managed_policies
    found = collect(targets)
    if workers is not None and workers < 0:
        fail(f"--workers must be 0 (every core) or more, got {workers}")
    runs = _progress(found.entries, lambda entry: run_entry(entry, library), workers)
    runs = _suppress(config, runs, partial=any(p.is_file() for p in paths or ()))  # files named: pre-commit
    _write_reports(runs, reports, verbose, found.skipped)
    summary = RunSummary(tuple(runs))
    if summary.errors:
        for run in runs:
            if run.error is not None:
                print(f"policysim: error: {run.error.render()}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_FAILED if summary.failed else EXIT_OK


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


def build_app() -> typer.Typer:
    """The typer app with every command, in the order `--help` lists them.

    A new command is a module under `commands/` with `register(app)`, imported and registered here (two lines).
    """
    global typer  # typer reads the annotations of `check` below (strings) in this module's namespace
    import typer

    from policysim.commands import diff as diff_command
    from policysim.commands import explain as explain_command
    from policysim.commands import graph as graph_command
    from policysim.commands import import_model as import_command
    from policysim.commands import queries as query_commands
    from policysim.commands import simulate as simulate_commands
    from policysim.commands import sts as sts_commands
    from policysim.commands import validate as validate_command

    app = typer.Typer(
        name="policysim",
        help="Offline AWS IAM policy simulator: would AWS allow this request, and why?",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )

    @app.command()
    def check(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(help="scenario files or directories (default: `paths` of the configuration)"),
        ] = None,
        format: Annotated[list[str] | None, typer.Option("--format", "-f", help=f"one of {', '.join(FORMATS)}")] = None,
        output: Annotated[
            list[Path] | None, typer.Option("--output", "-o", help="file for the matching --format")
        ] = None,
        managed_policies: Annotated[
            Path | None, typer.Option(help="more AWS managed policies (get-account-authorization-details output)")
        ] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help="explain passing tests too")] = False,
        workers: Annotated[
            int | None, typer.Option(help="check the files over this many processes (0: every core)")
        ] = None,
        config_file: Annotated[
            Path | None,
            typer.Option(
                "--config", help="configuration file (default: .policysim.yaml or pyproject.toml, searched up)"
            ),
        ] = None,
    ) -> None:
        """Run every test of every scenario and report; exit 1 when an expectation is not met.

        Options beat environment variables (POLICYSIM_*), which beat the configuration file.
        """
        raise typer.Exit(run_check(paths, format, output, managed_policies, verbose, config_file, workers))

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
    graph_command.register(app)
    sts_commands.register(app)
    simulate_commands.register(app)
    validate_command.register(app)
    import_command.register(app)
    query_commands.register(app)
    return app


# `check`'s options as `build_app` declares them: each name -> (the parameter, whether it is a flag).
# tests/cli/test_plain_check.py holds this table to the declaration.
CHECK_OPTIONS = {
    "--format": ("format", False),
    "-f": ("format", False),
    "--output": ("output", False),
    "-o": ("output", False),
    "--managed-policies": ("managed_policies", False),
    "--config": ("config_file", False),
    "--verbose": ("verbose", True),
    "-v": ("verbose", True),
    "--workers": ("workers", False),
}
_PARAMETERS = ("format", "output", "managed_policies", "verbose", "config_file", "workers")


def plain_check(args: Sequence[str]) -> dict[str, Any] | None:
    """`run_check`'s arguments when `args` is a plain `check` command line, else None (typer reads it).

    Plain: `check`, then paths and the options of `CHECK_OPTIONS`, each option its own word and its value (if it
    takes one) the next word, no word empty or starting with `-` but the options. Every plain line means to typer
    exactly what it means here; anything else (`--help`, `--format=json`, `-vf`, `--`, an unknown option, a missing
    value) is left to typer, which answers it or refuses it with its usage error. So are a path that exists but is
    not readable (typer refuses it), shell completion (an `_..._COMPLETE` variable) and Windows (typer expands
    wildcards there).
    """
    if not args or args[0] != "check" or os.name == "nt":
        return None
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return None
    given: dict[str, list[str]] = {name: [] for name in ("paths", *_PARAMETERS)}
    rest = list(args[1:])
    while rest:
        word = rest.pop(0)
        if not _plain(word):
            return None
        if not word.startswith("-"):
            given["paths"].append(word)
            continue
        if word not in CHECK_OPTIONS:
            return None
        name, flag = CHECK_OPTIONS[word]
        if not flag and not (rest and _plain(rest[0]) and not rest[0].startswith("-")):
            return None
        given[name].append(word if flag else rest.pop(0))
    single = {name: values[-1] if values else None for name, values in given.items()}  # one-value options: the last
    named = [*given["paths"], *given["output"], single["managed_policies"], single["config_file"]]
    if not all(_readable_or_absent(path) for path in named if path is not None):
        return None
    workers = single["workers"]
    if workers is not None and not (workers.isascii() and workers.isdigit()):
        return None  # typer reads it, and refuses what is not a number
    return {
        "paths": [Path(path) for path in given["paths"]] or None,
        "format": given["format"] or None,
        "output": [Path(path) for path in given["output"]] or None,
        "managed_policies": Path(single["managed_policies"]) if single["managed_policies"] is not None else None,
        "verbose": bool(given["verbose"]),
        "config_file": Path(single["config_file"]) if single["config_file"] is not None else None,
        "workers": int(workers) if workers is not None else None,
    }


def _plain(word: str) -> bool:
    return word != "" and "\0" not in word


def _readable_or_absent(path: str) -> bool:
    """What typer's path parameters accept: a path that cannot be looked at, or one that can be read."""
    try:
        os.stat(path)
    except OSError:
        return True
    return os.access(path, os.R_OK)


def run_plain(arguments: dict[str, Any]) -> int:
    """`run_check` as typer runs a command (`standalone_mode=False`): `typer.Exit` is its code, Ctrl-C is 130, end
    of input aborts, and a closed standard output (EPIPE) exits 1 quietly."""
    try:
        return run_check(**arguments)
    except EOFError as error:
        print(file=sys.stderr)
        import typer

        raise typer.Abort() from error
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        sys.stdout = _PacifyFlush(sys.stdout)
        sys.stderr = _PacifyFlush(sys.stderr)
        sys.exit(EXIT_FAILED)
    except Exception as error:
        loaded = sys.modules.get("typer")  # `fail` imports it to raise typer.Exit
        if loaded is not None and isinstance(error, loaded.Exit):
            return int(error.exit_code)
        raise


class _PacifyFlush:
    """A stream whose flush ignores a closed pipe (click's PacifyFlushWrapper), so the exit prints no traceback."""

    def __init__(self, wrapped: IO[Any]) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as error:
            if error.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point: run the command line, turning stray errors into exit codes 2 (input) and 3 (internal)."""
    try:
        plain = plain_check(list(argv) if argv is not None else sys.argv[1:])
        if plain is not None:
            code: Any = run_plain(plain)
        else:
            code = build_app()(args=list(argv) if argv is not None else None, standalone_mode=False)
    except PolicysimError as error:
        print(f"policysim: error: {error.render()}", file=sys.stderr)
        sys.exit(EXIT_INPUT)
    except Exception as error:
        loaded = sys.modules.get("typer")  # imported by the app, or by `fail`
        if loaded is not None and isinstance(error, loaded.Abort):
            print("policysim: aborted", file=sys.stderr)
            sys.exit(EXIT_INTERNAL)
        if loaded is not None and isinstance(error, loaded.TyperException):  # usage errors: unknown option, ...
            print(f"policysim: error: {error}\ntry `policysim --help`", file=sys.stderr)
            sys.exit(EXIT_INPUT)
        print(f"policysim: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        if os.environ.get("POLICYSIM_DEBUG"):
            import traceback

            traceback.print_exc()
        else:
            print("this is a bug in policysim; set POLICYSIM_DEBUG=1 for the traceback", file=sys.stderr)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
