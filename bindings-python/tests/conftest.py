"""Shared pytest fixtures: the repository root and the gatewise CLI binary the
parity tests compare against."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
"""The repository root (the Cargo workspace)."""

EXAMPLES = os.path.join(ROOT, "examples")
"""The quickstart manifests the README uses."""


@pytest.fixture(scope="session")
def cli() -> str:
    """The `gatewise` CLI: `GATEWISE_CLI` when set (it must exist), else built
    with cargo in the workspace's target directory (a no-op when it is built)."""
    given = os.environ.get("GATEWISE_CLI")
    if given:
        assert os.path.isfile(given), f"GATEWISE_CLI={given} does not exist"
        return given
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("cargo is not on PATH and GATEWISE_CLI is not set: no gatewise CLI to compare with")
    subprocess.run([cargo, "build", "--quiet", "--locked", "-p", "gatewise-cli"], cwd=ROOT, check=True)
    meta = subprocess.run(
        [cargo, "metadata", "--format-version", "1", "--no-deps", "--locked"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    binary = os.path.join(json.loads(meta.stdout)["target_directory"], "debug", "gatewise")
    assert os.path.isfile(binary), f"cargo built no {binary}"
    return binary
