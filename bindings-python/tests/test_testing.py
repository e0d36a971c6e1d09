"""gatewise.testing: the assertions pass when the policy holds, and fail with
a message that carries the explanation when it does not."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Any

import gatewise
import pytest
from conftest import EXAMPLES, ROOT
from gatewise.testing import (
    assert_all_accepted,
    assert_no_rejections,
    assert_redirects,
    assert_refused,
    assert_responds,
    assert_route_accepted,
    assert_routes_to,
)

DOCS = os.path.join(os.path.dirname(__file__), "..", "docs")
SHOP: dict[str, Any] = {"gateway": "infra/gateway", "host": "shop.example.com"}


@pytest.fixture(scope="module")
def router() -> gatewise.Router:
    return gatewise.load(EXAMPLES)


def failure(call: Any) -> str:
    with pytest.raises(AssertionError) as info:
        call()
    return str(info.value)


def test_assert_routes_to_passes_and_returns_the_decision(router: gatewise.Router) -> None:
    d = assert_routes_to(router, "shop/api:8080", **SHOP, path="/api/v2/cart")
    assert d.route is not None and d.route.name == "store"
    # Without a namespace: the deciding route's; without a port: any.
    assert_routes_to(router, "api:8080", **SHOP, path="/api")
    assert_routes_to(router, "shop/api", **SHOP, path="/api")
    assert_routes_to(router, {"shop/store-v1:8080": 90, "store-v2:8080": 10}, **SHOP)


def test_assert_routes_to_fails_with_the_explanation(router: gatewise.Router) -> None:
    message = failure(lambda: assert_routes_to(router, "shop/api-v2:8080", **SHOP, path="/api/v2/cart"))
    assert "request: HTTP shop.example.com/api/v2/cart at infra/gateway" in message
    assert "expected: forward to shop/api-v2:8080" in message
    assert "got:      forward to shop/api:8080 (weight 1) by HTTPRoute shop/store rule 2" in message
    assert "explanation:" in message
    assert "PathPrefix /api  WON" in message
    assert "PathPrefix /api, 1 header  no match (headers)" in message


def test_assert_routes_to_checks_the_whole_weighted_set(router: gatewise.Router) -> None:
    message = failure(lambda: assert_routes_to(router, {"shop/store-v1:8080": 50, "shop/store-v2:8080": 50}, **SHOP))
    assert "shop/store-v1:8080 (weight 90)" in message
    failure(lambda: assert_routes_to(router, {"shop/store-v1:8080": 90}, **SHOP))
    failure(lambda: assert_routes_to(router, "shop/store-v1:8080", **SHOP))


def test_assert_redirects(router: gatewise.Router) -> None:
    d = assert_redirects(router, "http://shop.example.com/cart", status=301, **SHOP, path="/old-cart")
    assert d.status == 301
    assert "expected: redirect 302" in failure(
        lambda: assert_redirects(router, "http://shop.example.com/cart", status=302, **SHOP, path="/old-cart")
    )
    failure(lambda: assert_redirects(router, "http://elsewhere/", **SHOP, path="/old-cart"))


def test_assert_responds_and_refused(router: gatewise.Router) -> None:
    assert assert_responds(router, 404, gateway="infra/gateway", host="nope.example.com").reason == "NoMatchingRoute"
    assert "expected: status 404 from the gateway" in failure(lambda: assert_responds(router, 404, **SHOP))
    assert_refused(router, gateway="infra/gateway", port=8080)
    assert "the connection refused" in failure(lambda: assert_refused(router, **SHOP))


ROUTES = """
apiVersion: v1
kind: Namespace
metadata: {name: other-team}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: sneaky, namespace: other-team}
spec:
  parentRefs: [{name: gateway, namespace: infra}]
  rules: [{backendRefs: [{name: x, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: pinned, namespace: shop}
spec:
  parentRefs: [{name: gateway, namespace: infra, sectionName: http}]
  hostnames: [pinned.example.com]
  rules: [{backendRefs: [{name: api, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: broken, namespace: shop}
spec:
  parentRefs: [{name: gateway, namespace: infra}]
  rules: [{matches: [{path: {type: Exact, value: "no-slash"}}], backendRefs: [{name: api, port: 8080}]}]
"""


@pytest.fixture(scope="module")
def more() -> gatewise.Router:
    return gatewise.Loader().add_path(EXAMPLES).add_text(ROUTES, source="routes.yaml").finish()


def test_assert_route_accepted(router: gatewise.Router, more: gatewise.Router) -> None:
    [parent] = assert_route_accepted(router, "shop/store", gateway="infra/gateway", kind="HTTPRoute")
    assert parent["parentRef"]["name"] == "gateway"
    assert_route_accepted(more, "shop/pinned", gateway="infra/gateway", listener="http")


def test_assert_route_accepted_fails_with_the_reason(more: gatewise.Router) -> None:
    message = failure(lambda: assert_route_accepted(more, "other-team/sneaky"))
    assert "Accepted=False (NotAllowedByListeners" in message
    message = failure(lambda: assert_route_accepted(more, "shop/store", gateway="infra/gateway", listener="http"))
    assert "no parentRef for gateway infra/gateway listener (sectionName) http" in message
    message = failure(lambda: assert_route_accepted(more, "shop/broken"))
    assert "no status for route shop/broken" in message and "spec.rules[0].matches[0].path" in message
    assert "no status for route shop/store of kind GRPCRoute" in failure(
        lambda: assert_route_accepted(more, "shop/store", kind="GRPCRoute")
    )


def test_assert_no_rejections(router: gatewise.Router, more: gatewise.Router) -> None:
    assert_no_rejections(router)
    message = failure(lambda: assert_no_rejections(more))
    assert "1 object(s) rejected" in message
    assert "HTTPRoute shop/broken rejected (routes.yaml:21 (document 3)): spec.rules[0].matches[0].path" in message


def test_assert_all_accepted(router: gatewise.Router, more: gatewise.Router) -> None:
    assert_all_accepted(router)
    message = failure(lambda: assert_all_accepted(more))
    assert "HTTPRoute other-team/sneaky parent infra/gateway: Accepted=False (NotAllowedByListeners" in message


def run_pytest(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_example_policy_test_in_the_docs_passes() -> None:
    proc = run_pytest(os.path.join(DOCS, "test_policy_example.py"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "10 passed" in proc.stdout


def test_a_failing_policy_test_shows_the_explanation_in_pytest(tmp_path: Any) -> None:
    test = tmp_path / "test_policy.py"
    test.write_text(
        textwrap.dedent(
            f"""
            import gatewise
            from gatewise.testing import assert_routes_to

            router = gatewise.load({EXAMPLES!r})

            def test_cart():
                assert_routes_to(router, "shop/cart:8080", gateway="infra/gateway",
                                 host="shop.example.com", path="/api/v2/cart")
            """
        )
    )
    proc = run_pytest(str(test))
    assert proc.returncode == 1
    out = proc.stdout
    assert "expected: forward to shop/cart:8080" in out
    assert "PathPrefix /api  WON" in out
    # The helper's own frame is hidden: the traceback points at the test.
    assert 'assert_routes_to(router, "shop/cart:8080"' in out
    assert "raise _fail(" not in out


def test_the_policy_test_in_the_repository_readme_passes(tmp_path: Any) -> None:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    python = readme.split("## Python", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert "assert_routes_to" in python and len(python.strip().splitlines()) <= 12
    test = tmp_path / "test_readme.py"
    test.write_text(python)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,  # the README's paths are relative to the repository
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
