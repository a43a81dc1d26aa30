"""Where the two models come from: two paths, or one path at a git revision and in the working tree."""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from policysim.errors import InputError

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FilePair:
    """One scenario file on each side (None where it does not exist); `label_*` are the names shown."""

    base: Path | None
    new: Path | None
    label_base: str | None
    label_new: str | None


def scenario_files_under(root: Path) -> dict[str, Path]:
    """Scenario files by path relative to `root` (a file is its own `.`); nothing when `root` does not exist."""
    if root.is_file():
        return {".": root}
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.suffix in SUFFIXES and p.is_file()}


def pair_files(base: Path, new: Path, base_label: str, new_label: str) -> list[FilePair]:
    """Files of BASE and NEW paired by relative path; a file on one side only is paired with nothing."""
    left, right = scenario_files_under(base), scenario_files_under(new)
    if not left and not right:
        raise InputError(f"no scenario files under `{base_label}` or `{new_label}`")
    pairs = []
    for rel in sorted(left.keys() | right.keys()):
        b, n = left.get(rel), right.get(rel)
        pairs.append(FilePair(b, n, _label(base_label, rel) if b else None, _label(new_label, rel) if n else None))
    return pairs


def _label(root: str, rel: str) -> str:
    return root if rel == "." else f"{root.rstrip('/')}/{rel}"


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as error:
        raise InputError(f"cannot run git: {error}", hint="install git, or give BASE and NEW as paths") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {' '.join(args[:2])} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def repository_root(path: Path) -> Path:
    """The top of the git work tree holding `path`."""
    start = path if path.is_dir() else path.parent
    if not start.exists():
        start = Path.cwd()
    return Path(_git(["rev-parse", "--show-toplevel"], start).decode().strip())


def export_revision(repo: Path, ref: str, into: Path) -> None:
    """Write the tree of revision `ref` into the directory `into` (git archive, members checked)."""
    if ref.startswith("-"):
        raise InputError(f"invalid git revision `{ref}`")
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo)
    except InputError:
        raise InputError(
            f"unknown git revision `{ref}` in `{repo}`",
            hint="fetch it first (for a pull request: `git fetch origin BASE-BRANCH`), or check the name",
        ) from None
    data = _git(["archive", "--format=tar", ref], repo)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(into, filter="data")


def at_revision(path: Path, ref: str, workdir: Path) -> tuple[Path, str]:
    """`path` as it was at `ref`, exported under `workdir`, and the label `ref:relative/path`."""
    repo = repository_root(path)
    absolute = path.resolve()
    try:
        rel = absolute.relative_to(repo.resolve())
    except ValueError:
        raise InputError(f"`{path}` is not inside the git repository at `{repo}`") from None
    export_revision(repo, ref, workdir)
    return workdir / rel, f"{ref}:{rel.as_posix()}"
