"""Every spec fixture case through the public Python API, one pytest item per
case. `GATEWISE_FIXTURES` (paths separated by `:`) replaces the repository's
`spec-fixtures/fixtures`."""

from __future__ import annotations

import pytest
from spec_fixtures import Case, cases, discover, fixture_paths, run

FIXTURES, MALFORMED = discover(fixture_paths())
CASES = [case for fixture in FIXTURES for case in cases(fixture)]


def test_fixture_paths_hold_fixtures() -> None:
    # A mistyped GATEWISE_FIXTURES must not pass by running nothing.
    assert CASES, f"no fixture cases found under {fixture_paths()}"


def test_no_fixture_file_is_malformed() -> None:
    assert not MALFORMED, "malformed fixture files:\n" + "\n".join(
        f"{m.path}:{m.line or '?'}: {m.message}" for m in MALFORMED
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    outcome = run(case)
    if not outcome.passed:
        message = f"{case.fixture.path}: {case.name}: {outcome.message}"
        if outcome.explanation:
            message += "\n\nexplanation:\n" + outcome.explanation
        pytest.fail(message, pytrace=False)
