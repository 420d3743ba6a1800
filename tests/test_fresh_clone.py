"""A fresh clone, with nothing beside it, collects the suite and skips what needs `../shared`.

The committed HEAD is cloned into a temporary directory that has no `shared/` next to it and
pytest runs there with this interpreter (no network, no `uv sync`): collection must succeed,
and the manifest tests that read `../shared` must skip naming the missing file, or fail
under `PROMISE_REQUIRE_SHARED=1`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.requirements import REPO, REQUIRE_SHARED

SHARED_FILES = ("manifest.schema.1.0.0.json", "PRODUCT.md")


def _git(*args: str | Path, cwd: Path = REPO) -> str:
    done = subprocess.run(
        ["git", *map(str, args)], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (REPO / ".git").exists():
        pytest.skip(f"{REPO} is not a git checkout")
    head = _git("rev-parse", "HEAD")
    dest = tmp_path_factory.mktemp("fresh") / "promise-bot"
    _git("clone", "--quiet", "--no-checkout", REPO, dest)
    _git("checkout", "--quiet", "--detach", head, cwd=dest)
    assert not (dest.parent / "shared").exists()
    return dest


def _pytest(clone: Path, *args: str, require_shared: bool = False) -> subprocess.CompletedProcess:
    dropped = {REQUIRE_SHARED, "PYTEST_ADDOPTS", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONPATH"] = str(clone)
    # Bytecode goes beside the clone, never into it or the venv; the runs after the first
    # reuse it, which keeps this test a few seconds long where bytecode is otherwise not written.
    env["PYTHONPYCACHEPREFIX"] = str(clone.parent / "pycache")
    if require_shared:
        env[REQUIRE_SHARED] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _outcomes(report: Path) -> dict[str, tuple[str, str]]:
    """{test name: (outcome, message)} from a JUnit XML report."""
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        outcome, message = "passed", ""
        for kind in ("failure", "error", "skipped"):
            found = case.find(kind)
            if found is not None:
                outcome, message = kind, found.get("message", "") + (found.text or "")
        outcomes[case.get("name", "")] = (outcome, message)
    return outcomes


def _manifest_outcomes(clone: Path, tmp: Path, *, require_shared: bool) -> dict:
    report = tmp / f"manifest-{int(require_shared)}.xml"
    _pytest(clone, "tests/test_manifest.py", f"--junitxml={report}", require_shared=require_shared)
    return _outcomes(report)


@pytest.fixture(scope="module")
def relaxed(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The manifest tests in the clone as a developer runs them (PROMISE_REQUIRE_SHARED unset)."""
    return _manifest_outcomes(clone, tmp_path_factory.mktemp("report"), require_shared=False)


@pytest.fixture(scope="module")
def required(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The manifest tests in the clone as CI runs them (PROMISE_REQUIRE_SHARED=1)."""
    return _manifest_outcomes(clone, tmp_path_factory.mktemp("report"), require_shared=True)


def test_a_fresh_clone_collects_every_test_without_errors(clone: Path) -> None:
    done = _pytest(clone, "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ tests collected in [\d.]+s", summary), done.stdout + done.stderr


def test_a_fresh_clone_skips_the_tests_that_need_shared_naming_the_file(relaxed: dict) -> None:
    assert {outcome for outcome, _ in relaxed.values()} == {"passed", "skipped"}, relaxed
    skipped = {
        name: message for name, (outcome, message) in relaxed.items() if outcome == "skipped"
    }
    schema_test = "test_it_validates_the_manifest_against_slacks_schema"
    assert "manifest.schema.1.0.0.json is missing" in skipped[schema_test], skipped
    for name, message in skipped.items():
        assert any(f"{file} is missing" in message for file in SHARED_FILES), (name, message)


def test_a_fresh_clone_fails_those_tests_when_shared_is_required(
    relaxed: dict, required: dict
) -> None:
    assert set(required) == set(relaxed)
    failed = {name for name, (outcome, _) in required.items() if outcome == "failure"}
    skipped = {name for name, (outcome, _) in relaxed.items() if outcome == "skipped"}
    assert failed == skipped != set()
    for name in failed:
        assert f"{REQUIRE_SHARED}=1 requires it" in required[name][1], required[name]
    passed = {name for name, (outcome, _) in required.items() if outcome == "passed"}
    assert passed == set(required) - failed
