"""A start-up imports nothing it does not use (issue 14; docs/architecture.md "Start-up").

Each test runs a fresh interpreter and asserts on the modules it imported (`sys.modules`), never on timings;
tests/bench/bench_startup.py prints those.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import policysim

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "cross-account-delegation.yaml"

# What no command but the one that needs it imports: the diff engine, the twins, explain's tracer, the reporters.
OTHER_COMMANDS = (
    "policysim.diff",
    "policysim.twins",
    "policysim.engine.trace",
    "policysim.report.json_report",
    "policysim.report.junit",
    "policysim.report.sarif",
    "policysim.report.github",
)
# The typer app and the modules that declare its commands: a plain `check` line does not build it (cli.plain_check).
THE_APP = (
    "typer",
    "click",
    "policysim.commands.diff",
    "policysim.commands.explain",
    "policysim.commands.simulate",
    "policysim.commands.sts",
    "policysim.commands.validate",
    "policysim.commands.import_model",
)
# What `check` needs, imported when it runs rather than when the command line is read.
CHECK_ONLY = (
    "policysim.scenario",
    "policysim.model",
    "policysim.compile",
    "policysim.config",
    "policysim.load",
    "policysim.managed",
    "policysim.catalogue",
    "policysim.grammars",
    "policysim.report.text",
    "pydantic",
    "lark",
    "yaml",
    "rich",
)

_DUMP = """
import atexit, json, sys
atexit.register(lambda: open(sys.argv[1], "w").write(json.dumps(sorted(sys.modules))))
"""


def modules_after(tmp_path: Path, code: str, *args: str, cwd: Path = ROOT) -> set[str]:
    """The modules a fresh interpreter (in `cwd`) has imported when `code` is done (or has exited)."""
    out = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _DUMP + code, str(out), *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert out.exists(), done.stderr
    return set(json.loads(out.read_text()))


def imported(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    """The modules of `packages` (each a module or a package) found in `modules`."""
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


def test_importing_the_cli_imports_no_command(tmp_path: Path) -> None:
    modules = modules_after(tmp_path, "import policysim.cli")
    assert "policysim.cli" in modules
    assert imported(modules, OTHER_COMMANDS + THE_APP + CHECK_ONLY) == []


def test_importing_policysim_imports_the_api_on_first_use(tmp_path: Path) -> None:
    modules = modules_after(tmp_path, "import policysim")
    assert imported(modules, OTHER_COMMANDS + CHECK_ONLY) == []
    modules = modules_after(tmp_path, "import policysim; policysim.Scenario")
    assert "policysim.scenario.api" in modules
    assert imported(modules, ("policysim.diff", "policysim.twins")) == []


def test_every_public_name_is_there() -> None:
    from policysim.diff import diff_scenarios
    from policysim.scenario.api import Scenario

    assert set(policysim.__all__) <= set(dir(policysim))
    for name in policysim.__all__:
        assert getattr(policysim, name) is not None
    assert policysim.Scenario is Scenario and policysim.diff_scenarios is diff_scenarios
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = policysim.nothing  # type: ignore[attr-defined]


def _check(tmp_path: Path, *args: str) -> set[str]:
    code = "from policysim.cli import main; main(sys.argv[2:])"
    return modules_after(tmp_path, code, "check", str(SCENARIO), *args)


def test_check_imports_no_other_command_nor_typer(tmp_path: Path) -> None:
    modules = _check(tmp_path)
    assert "policysim.scenario.api" in modules and "policysim.report.text" in modules
    assert imported(modules, OTHER_COMMANDS + THE_APP) == []
    assert "rich.progress" not in modules  # no terminal: no progress bar
    assert "rich" not in modules  # the text report imports rich only for colour


def test_check_of_a_valid_file_imports_no_pydantic(tmp_path: Path) -> None:
    """The wire records read a valid scenario (model/wire.py); pydantic states the problems of an invalid one."""
    assert imported(_check(tmp_path), ("pydantic", "pydantic_core", "policysim.model.validation")) == []
    broken = tmp_path / "broken.yaml"
    broken.write_text("scenario: x\ntests: [{name: t}]\n")
    code = "from policysim.cli import main; main(sys.argv[2:])"
    modules = modules_after(tmp_path, code, "check", str(broken))
    assert {"pydantic", "policysim.model.validation"} <= modules


def test_check_of_the_tutorial_imports_only_what_it_uses(tmp_path: Path) -> None:
    """The tutorial is plain block YAML (load/yaml_fast.py), holds no condition, no import and no number, and asks
    for no suggestion: none of these is imported (docs/performance.md, start-up)."""
    modules = _check(tmp_path)
    unused = ("yaml", "tomllib", "hashlib", "_hashlib", "decimal", "difflib", "traceback", "policysim.imports")
    assert imported(modules, unused) == []
    families = ("strings", "arn", "boolean", "numeric", "dates", "binary", "ip")
    assert imported(modules, tuple(f"policysim.conditions.{family}" for family in families)) == []


def test_check_reads_toml_only_where_a_pyproject_could_hold_its_table(tmp_path: Path) -> None:
    code = "from policysim.cli import main; main(sys.argv[2:])"
    modules = modules_after(tmp_path, code, "check", str(SCENARIO), cwd=tmp_path)  # no pyproject.toml here
    assert "policysim.config" in modules and "tomllib" not in modules
    assert "tomllib" not in _check(tmp_path)  # the checkout's pyproject.toml names policysim, but has no table
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.policysim]\nfail_on = "error"\n')
    assert "tomllib" in modules_after(tmp_path, code, "check", str(SCENARIO), cwd=project)


def test_any_other_command_line_builds_the_app(tmp_path: Path) -> None:
    modules = modules_after(tmp_path, "from policysim.cli import main; main(sys.argv[2:])", "schema")
    assert {"typer", *THE_APP[2:6]} <= modules
    assert imported(modules, OTHER_COMMANDS) == []  # each command imports its own needs when it runs


def test_check_imports_only_the_reporter_it_writes(tmp_path: Path) -> None:
    modules = _check(tmp_path, "--format", "sarif")
    assert "policysim.report.sarif" in modules
    others = ("policysim.report.text", "policysim.report.junit", "policysim.report.github", "rich")
    assert imported(modules, others) == []


_OPENS = """
import json, sys
from pathlib import Path
folders = tuple(str(Path(folder).resolve()) + "/" for folder in sys.argv[2:])
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], str) and str(Path(args[0]).resolve()).startswith(folders):
        if not args[0].endswith((".py", ".pyc")) and "__pycache__" not in args[0]:
            opened.append(args[0])
sys.addaudithook(hook)
import policysim.cli, policysim.scenario.api, policysim.config, policysim.report, policysim.report.text
import policysim.report.suppress, policysim.managed, policysim.catalogue, policysim.grammars
open(sys.argv[1], "w").write(json.dumps(opened))
"""


def test_importing_what_check_runs_reads_no_data_file(tmp_path: Path) -> None:
    """Grammar tables, the catalogue, the managed policies: each is read when first needed, never at import."""
    out = tmp_path / "opened.json"
    package = Path(policysim.__file__).parent
    folders = [str(package), str(package.parent / "grammars")]  # the package and, in a checkout, grammars/
    done = subprocess.run(
        [sys.executable, "-c", _OPENS, str(out), *folders], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.exists(), done.stderr
    assert json.loads(out.read_text()) == []
