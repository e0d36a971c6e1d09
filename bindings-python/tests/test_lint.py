"""Lint and diff through Python: every lint code on its manifest from
``testdata/lint`` (shared with the Node tests and kept equal to the crate docs
by ``core/tests/lint.rs``), each finding's example request routed through the
same router to show the problem, and parity with ``gatewise lint -o json`` and
``gatewise diff -o json``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

import gatewise
from conftest import ROOT

LINT = os.path.join(ROOT, "testdata", "lint")
BASE = os.path.join(LINT, "base.yaml")
CODES = os.path.join(LINT, "codes")
DIFF = os.path.join(ROOT, "testdata", "diff")

ALL_CODES = [f"GW{n:03}" for n in range(1, 12)]

# For each code, the finding its manifest must give: severity, object and field.
EXPECTED: dict[str, tuple[str, str, str]] = {
    "GW001": ("warning", "HTTPRoute shop/web", "spec.rules[1].matches[0]"),
    "GW002": ("warning", "HTTPRoute shop/web-v2", "spec.rules[0]"),
    "GW003": ("error", "HTTPRoute shop/web", "spec.rules[0].backendRefs[0]"),
    "GW004": ("error", "HTTPRoute shop/web", "spec.parentRefs[0].sectionName"),
    "GW005": ("error", "HTTPRoute shop/web", "spec.rules[0].backendRefs[0]"),
    "GW006": ("warning", "ReferenceGrant billing/from-shop", "spec"),
    "GW007": ("error", "Gateway infra/secure", "spec.listeners[0].tls.certificateRefs[0]"),
    "GW008": ("warning", "HTTPRoute shop/web", "spec.hostnames[1]"),
    "GW009": ("error", "HTTPRoute blog/web", "spec.parentRefs[0]"),
    "GW010": ("warning", "Gateway infra/gw", "spec.listeners[0]"),
    "GW011": ("error", "GRPCRoute shop/rpc", "spec.hostnames"),
}


def _code_files() -> dict[str, str]:
    files = {}
    for name in sorted(os.listdir(CODES)):
        code = name.split("-", 1)[0]
        files[code] = os.path.join(CODES, name)
    return files


CODE_FILES = _code_files()


def test_testdata_has_a_manifest_for_every_code() -> None:
    assert sorted(CODE_FILES) == ALL_CODES
    assert sorted(EXPECTED) == ALL_CODES


def _index(field: str, key: str) -> int:
    m = re.search(re.escape(key) + r"\[(\d+)\]", field)
    return int(m.group(1)) if m else 0


def _listener_name(manifests: list[str], finding: gatewise.Finding) -> str:
    """The name of listener ``spec.listeners[k]`` of the finding's Gateway."""
    k = _index(finding.field, "spec.listeners")
    for path in manifests:
        with open(path, encoding="utf-8") as f:
            for doc in f.read().split("\n---\n"):
                obj = gatewise.parse_yaml(doc)
                meta = obj.get("metadata", {})
                if (obj.get("kind"), meta.get("namespace"), meta.get("name")) == (
                    finding.object.kind,
                    finding.object.namespace,
                    finding.object.name,
                ):
                    name: str = obj["spec"]["listeners"][k]["name"]
                    return name
    raise AssertionError(f"{finding}: no such listener in {manifests}")


def _demonstrates(router: gatewise.Router, manifests: list[str], f: gatewise.Finding) -> None:
    """The finding's example request, routed, shows the problem it describes
    (the same checks as core/tests/lint.rs)."""
    assert f.example_request is not None
    kwargs = f.example_request.route_kwargs()
    decision = router.route(**kwargs)
    explained = router.explain(**kwargs)
    assert explained.consistent, f"{f}\n{explained}"
    assert decision.to_dict() == explained.decision.to_dict()

    def own(d: gatewise.Decision) -> bool:
        r = d.route
        return r is not None and (r.kind, r.namespace, r.name) == (f.object.kind, f.object.namespace, f.object.name)

    rule, match = _index(f.field, "rules"), _index(f.field, "matches")
    if f.code in ("GW001", "GW002"):
        # The shadowed match matches the request, and loses.
        route = f"{f.object.namespace}/{f.object.name}"
        mine = [c for c in explained.candidates if (c["route"], c["rule"], c["matchIndex"]) == (route, rule, match)]
        assert len(mine) == 1, f"{f}: no candidate\n{explained}"
        assert mine[0]["outcome"] == "lost", f"{f}\n{explained}"
        assert decision.route is not None
        assert not (own(decision) and decision.rule == rule and decision.match_index == match), f"{f}\n{explained}"
        if f.code == "GW002":
            assert f.related is not None
            assert (decision.route.kind, decision.route.namespace, decision.route.name) == (
                f.related.kind,
                f.related.namespace,
                f.related.name,
            ), f"{f}\n{explained}"
    elif f.code in ("GW003", "GW005") and "backendRefs" in f.field:
        # The rule decides, and its share of requests is answered 500.
        assert own(decision) and decision.rule == rule, f"{f}\n{explained}"
        assert (
            decision.status == 500 or decision.kind == "reject" or any(b.status == 500 for b in decision.backends)
        ), f"{f}\n{explained}"
    elif f.code in ("GW005", "GW007"):
        # The listener whose certificate does not resolve takes no request.
        listener = _listener_name(manifests, f)
        assert decision.listener != listener, f"{f}\n{explained}"
        assert not any(l["chosen"] and l["name"] == listener for l in explained.listeners), f"{f}\n{explained}"
    elif f.code in ("GW008", "GW009", "GW011"):
        # The route does not get the request.
        assert not own(decision), f"{f}\n{explained}"
    elif f.code == "GW010":
        # The listener takes the request and has no route for it.
        listener = _listener_name(manifests, f)
        assert any(l["chosen"] and l["name"] == listener for l in explained.listeners), f"{f}\n{explained}"
        assert decision.reason == "NoMatchingRoute", f"{f}\n{explained}"
        assert decision.kind == "reject" or decision.status == 404, f"{f}\n{explained}"
    else:
        raise AssertionError(f"{f.code} findings carry no example request: {f}")


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_code_is_found_and_its_example_request_shows_the_problem(code: str) -> None:
    manifests = [BASE, CODE_FILES[code]]
    router = gatewise.load(*manifests)
    assert router.rejected == []
    report = router.lint()
    severity, obj, field = EXPECTED[code]
    found = [f for f in report.findings if f.code == code and str(f.object) == obj and f.field == field]
    assert len(found) == 1, "\n".join(str(f) for f in report.findings)
    f = found[0]
    assert f.severity == severity
    assert f.name == os.path.basename(CODE_FILES[code])[len("GW000-") : -len(".yaml")]
    assert f.message and not f.message.endswith(".")
    assert str(f).startswith(f"{severity} {code} {f.name}: {obj} {field}: ")
    assert f.to_dict()["code"] == code
    # Every finding of the manifest (GW010 comes along with several) shows
    # its problem when its example request is routed.
    with_example = [f for f in report.findings if f.example_request is not None]
    for g in with_example:
        _demonstrates(router, manifests, g)
    if code not in ("GW004", "GW006"):
        assert f in with_example, f"{f} has no example request"


def test_allow_leaves_codes_out_and_unknown_codes_raise() -> None:
    router = gatewise.load(BASE, CODE_FILES["GW009"])
    assert "GW010" in router.lint().codes()
    assert "GW010" not in router.lint(allow=["GW010"]).codes()
    assert "GW010" not in router.lint(allow=["listener-without-routes"]).codes()
    with pytest.raises(ValueError, match="unknown lint code"):
        router.lint(allow=["GW999"])


def test_the_examples_are_clean() -> None:
    report = gatewise.load(os.path.join(ROOT, "examples")).lint()
    assert report.findings == []
    assert report.to_dict() == {"findings": [], "rejected": [], "errors": []}


def test_rejected_objects_are_reported_beside_the_findings() -> None:
    router = gatewise.load_text(
        """
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: broken, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /a//b}}]}]
""",
        source="broken.yaml",
    )
    report = router.lint()
    assert [(r.kind, r.name) for r in report.rejected] == [("HTTPRoute", "broken")]
    assert report.to_dict()["rejected"] == router.report()["rejected"]


def _cli_json(cli: str, *args: str) -> Any:
    proc = subprocess.run([cli, *args, "-o", "json"], capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("code", ALL_CODES)
def test_lint_is_what_the_cli_prints(cli: str, code: str) -> None:
    manifests = [BASE, CODE_FILES[code]]
    assert gatewise.load(*manifests).lint().to_dict() == _cli_json(cli, "lint", *manifests)
    assert gatewise.load(*manifests).lint(allow=["GW010"]).to_dict() == _cli_json(
        cli, "lint", "--allow", "GW010", *manifests
    )


def test_diff_shows_the_changed_decision_and_status(cli: str) -> None:
    old_path, new_path = os.path.join(DIFF, "old.yaml"), os.path.join(DIFF, "new.yaml")
    old, new = gatewise.load(old_path), gatewise.load(new_path)
    report = gatewise.diff(old, new)
    assert report.changed
    assert report.to_dict() == _cli_json(cli, "diff", old_path, new_path)

    # The /api rule now names a Service that does not exist.
    [status] = report.status_changes
    assert str(status.object) == "HTTPRoute shop/shop"
    assert status.condition == "ResolvedRefs"
    assert status.old is not None and status.new is not None
    assert (status.old.status, status.new.status, status.new.reason) == ("True", "False", "BackendNotFound")

    [traffic] = report.traffic_changes
    assert (traffic.request.host, traffic.request.path) == ("shop.example.com", "/api")
    assert str(traffic.old.backend) == "shop/api:8080"
    assert (traffic.new.kind, traffic.new.status) == ("respond", 500)
    assert "kind" in traffic.differs
    # The request, routed through each version, gives the decision reported.
    kwargs = traffic.request.route_kwargs()
    assert old.route(**kwargs).to_dict() == traffic.old.to_dict()
    assert new.route(**kwargs).to_dict() == traffic.new.to_dict()

    unchanged = gatewise.diff(old, gatewise.load(old_path))
    assert not unchanged.changed
    assert unchanged.requests_checked == report.requests_checked


def test_diff_wants_one_controller_name() -> None:
    path = os.path.join(DIFF, "old.yaml")
    with pytest.raises(ValueError, match="different controller names"):
        gatewise.diff(gatewise.load(path), gatewise.load(path, controller_name="example.com/other"))


def test_the_readme_example_runs() -> None:
    with open(os.path.join(ROOT, "bindings-python", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    example = readme.split("## Lint and diff", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    proc = subprocess.run(
        [sys.executable, "-c", example],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,  # the README's paths are relative to the repository
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.startswith("warning GW001 shadowed-rule: HTTPRoute shop/web spec.rules[1].matches[0]: ")
    assert "  e.g. GET http://test.example.com/api at infra/gw port 80 -> forward to shop/web:8080" in out
    assert "GW010" not in out
    assert "HTTPRoute shop/shop ResolvedRefs StatusValue(status='True'" in out
    assert (
        "GET http://shop.example.com/api at infra/gw port 80 : forward to shop/api:8080 (weight 1) by HTTPRoute "
        "shop/shop rule 0 on listener http -> status 500 (InvalidBackend)"
    ) in out
