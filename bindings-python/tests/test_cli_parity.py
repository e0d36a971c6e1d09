"""Every fixture case gives the same outcome through Python as through
`gatewise fixtures -o json` (the Rust runner), checked, not assumed."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

from spec_fixtures import cases, discover, fixture_paths, run


def _key(file: str, fixture: str, case: str, kind: str) -> tuple[str, str, str, str]:
    return (os.path.realpath(file), fixture, case, kind)


def test_every_case_has_the_cli_outcome(cli: str) -> None:
    paths = fixture_paths()
    proc = subprocess.run([cli, "fixtures", "-o", "json", *paths], capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1, 2), proc.stderr
    lines: list[dict[str, Any]] = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    summary = lines[-1]
    rust = [
        (_key(l["file"], l["fixture"], l["case"], l["kind"]), l["passed"], l["message"]) for l in lines if "case" in l
    ]
    rust_malformed = sorted(os.path.realpath(l["file"]) for l in lines if "malformed" in l)

    fixtures, malformed = discover(paths)
    python = []
    for fixture in fixtures:
        for case in cases(fixture):
            outcome = run(case)
            python.append(
                (_key(fixture.path, fixture.data["name"], case.name, case.kind), outcome.passed, outcome.message)
            )

    assert rust, f"the CLI ran no case: {proc.stdout}{proc.stderr}"
    assert [k for k, _, _ in python] == [k for k, _, _ in rust], "the runners see different cases, or in another order"
    differ = [
        f"{k[0]}: {k[1]} / {k[2]}: CLI {'passed' if rp else 'failed: ' + rm}; Python {'passed' if pp else 'failed: ' + pm}"
        for (k, rp, rm), (_, pp, pm) in zip(rust, python)
        if rp != pp
    ]
    assert not differ, "outcomes differ:\n" + "\n".join(differ)
    assert sorted(os.path.realpath(m.path) for m in malformed) == rust_malformed
    assert summary == {
        "passed": sum(p for _, p, _ in python),
        "failed": sum(not p for _, p, _ in python),
        "skipped": 0,
    }
