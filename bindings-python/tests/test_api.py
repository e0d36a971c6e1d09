"""The public API: loading, routing, explaining, status, errors."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from datetime import datetime, timedelta, timezone
from typing import Any

import gatewise
import pytest
from conftest import EXAMPLES, ROOT
from gatewise import _native

BASE = os.path.join(ROOT, "spec-fixtures", "fixtures", "base", "manifests.yaml")
CART: dict[str, Any] = {"gateway": "infra/gateway", "host": "shop.example.com", "path": "/api/v2/cart"}

CLASS_AND_GATEWAY = """
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
  - {name: tcp, port: 9000, protocol: TCP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec: {ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: app}
spec: {ports: [{port: 8080}]}
"""


def route(name: str, path: str, backend: str = "web", created: Any = None, **spec: Any) -> dict[str, Any]:
    """An HTTPRoute as a dict, as the kubernetes client returns one."""
    metadata: dict[str, Any] = {"name": name, "namespace": "app"}
    if created is not None:
        metadata["creationTimestamp"] = created
    rule: dict[str, Any] = {
        "matches": [{"path": {"type": "PathPrefix", "value": path}}],
        "backendRefs": [{"name": backend, "port": 8080}],
    }
    rule.update(spec)
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": metadata,
        "spec": {"parentRefs": [{"name": "gw", "namespace": "infra"}], "rules": [rule]},
    }


@pytest.fixture(scope="module")
def examples() -> gatewise.Router:
    return gatewise.load(EXAMPLES)


# --- loading ----------------------------------------------------------------


def test_the_native_module_is_built_for_the_stable_abi() -> None:
    # One wheel for CPython 3.9 and later: `_native.abi3.so` (`.pyd` on Windows).
    native = _native.__file__ or ""
    assert native.endswith((".abi3.so", ".pyd")), native


def test_text_files_and_objects_load_the_same_manifests(tmp_path: Any) -> None:
    text = CLASS_AND_GATEWAY + "---\n" + json.dumps(route("r", "/"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "all.yaml").write_text(text)
    (tmp_path / "notes.txt").write_text("not a manifest: only *.yaml, *.yml, *.json are read")
    from_text = gatewise.load_text(text)
    from_path = gatewise.load(tmp_path)
    objects = [gatewise.parse_yaml(doc) for doc in text.split("\n---\n")]
    from_objects = gatewise.load_objects(objects)
    decisions = [r.route(gateway="infra/gw", path="/x") for r in (from_text, from_path, from_objects)]
    assert [d.to_dict() for d in decisions] == [decisions[0].to_dict()] * 3
    assert decisions[0].backend is not None and str(decisions[0].backend) == "app/web:8080"


def test_a_loader_combines_sources_and_later_objects_replace_earlier_ones() -> None:
    router = (
        gatewise.Loader()
        .add_text(CLASS_AND_GATEWAY, source="base.yaml")
        .add_object(route("r", "/", backend="web"))
        .add_objects([route("r", "/", backend="other")])  # the same route, applied again
        .finish()
    )
    assert str(router.route(gateway="infra/gw").backend) == "app/other:8080"


def test_a_finished_loader_cannot_be_reused() -> None:
    loader = gatewise.Loader().add_text(CLASS_AND_GATEWAY)
    loader.finish()
    with pytest.raises(RuntimeError, match="already finished"):
        loader.finish()


def test_datetimes_from_the_kubernetes_client_are_creation_timestamps() -> None:
    # Two routes with the same match: the older one wins (the spec's tie-break).
    older = datetime(2023, 5, 1, tzinfo=timezone.utc)
    objects = [
        route("newer", "/", backend="web", created=older + timedelta(days=1)),
        route("older", "/", backend="other", created=older),
    ]
    router = gatewise.Loader().add_text(CLASS_AND_GATEWAY).add_objects(objects).finish()
    decision = router.route(gateway="infra/gw")
    assert decision.route == gatewise.RouteRef("HTTPRoute", "app", "older")
    # Reversed input order, same answer: the timestamps decide, not the order.
    router = gatewise.Loader().add_text(CLASS_AND_GATEWAY).add_objects(reversed(objects)).finish()
    assert router.route(gateway="infra/gw").route == decision.route


def test_objects_that_are_not_plain_data_raise_type_error_naming_the_path() -> None:
    bad = route("r", "/")
    bad["spec"]["rules"][0]["matches"][0]["path"]["value"] = {"/a", "/b"}
    with pytest.raises(TypeError, match=r"spec\.rules\[0\]\.matches\[0\]\.path\.value: cannot convert a set"):
        gatewise.load_objects([bad])
    with pytest.raises(TypeError, match="keys must be str"):
        gatewise.load_objects([{1: "x"}])  # type: ignore[dict-item]


def test_controller_name_picks_our_gateway_classes() -> None:
    other = gatewise.load_text(CLASS_AND_GATEWAY, controller_name="example.com/other")
    assert other.gateways() == []
    assert other.status() == []
    assert other.route(gateway="infra/gw").kind == "reject"
    ours = gatewise.load_text(CLASS_AND_GATEWAY)
    assert ours.gateways() == ["infra/gw"]
    assert ours.controller_name == gatewise.DEFAULT_CONTROLLER_NAME


# --- errors -----------------------------------------------------------------

REJECTED = (
    CLASS_AND_GATEWAY
    + """---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad, namespace: app}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /a//b}}]
    backendRefs: [{name: web, port: 8080}]
"""
)


def test_rejected_objects_are_returned_and_take_no_part() -> None:
    router = gatewise.load_text(REJECTED, source="routes.yaml")
    [rejection] = router.rejected
    assert (rejection.kind, rejection.namespace, rejection.name) == ("HTTPRoute", "app", "bad")
    assert rejection.errors[0].field == "spec.rules[0].matches[0].path.value"
    assert rejection.location.source == "routes.yaml"
    assert rejection.location.line == 26  # where its document starts
    assert "HTTPRoute app/bad rejected (routes.yaml:26" in str(rejection)
    assert router.route(gateway="infra/gw", path="/a//b").status == 404
    assert router.report()["rejected"][0]["object"]["name"] == "bad"


def test_strict_loading_raises_rejected_object_error() -> None:
    with pytest.raises(gatewise.RejectedObjectError) as info:
        gatewise.load_text(REJECTED, source="routes.yaml", strict=True)
    e = info.value
    assert isinstance(e, gatewise.LoadError) and isinstance(e, gatewise.GatewiseError)
    assert (e.kind, e.namespace, e.name) == ("HTTPRoute", "app", "bad")
    assert e.field == "spec.rules[0].matches[0].path.value"
    assert (e.source, e.document, e.line) == ("routes.yaml", 4, 26)
    assert e.problems == [e] and e.rejection.name == "bad"
    assert str(e).startswith("routes.yaml:26: HTTPRoute app/bad, spec.rules[0].matches[0].path.value: ")


def test_unreadable_documents_raise_document_error_with_the_line() -> None:
    text = CLASS_AND_GATEWAY + "---\nkind: [unclosed\n---\n- a list, not an object\n"
    with pytest.raises(gatewise.DocumentError) as info:
        gatewise.load_text(text, source="broken.yaml")
    e = info.value
    assert (e.source, e.document, e.line) == ("broken.yaml", 4, 26)
    assert "invalid yaml" in e.message
    [_, second] = e.problems
    assert (second.document, second.line) == (5, 28)
    assert "expected a kubernetes object" in second.message
    assert "(and 1 more problem)" in str(e)


def test_a_missing_path_raises_os_error() -> None:
    with pytest.raises(FileNotFoundError):
        gatewise.load(os.path.join(EXAMPLES, "no-such-file.yaml"))


def test_warnings_and_skipped_objects_are_reported() -> None:
    extra = route("r", "/")
    extra["spec"]["rules"][0]["backendRef"] = []  # a typo: pruned, with a warning
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "app"}}
    router = gatewise.Loader().add_text(CLASS_AND_GATEWAY).add_objects([extra, deployment]).finish()
    [warning] = router.warnings
    assert warning.field == "spec.rules[0].backendRef" and warning.name == "r"
    [skipped] = router.skipped
    assert (skipped.api_version, skipped.kind, skipped.name) == ("apps/v1", "Deployment", "web")


def test_parse_yaml_reads_yaml_1_2_like_the_loader() -> None:
    assert gatewise.parse_yaml("a: on\nb: yes\nc: true\nd: 2024-01-01") == {
        "a": "on",
        "b": "yes",
        "c": True,
        "d": "2024-01-01",
    }
    with pytest.raises(gatewise.DocumentError, match="duplicate"):
        gatewise.parse_yaml("a: 1\na: 2\n")


# --- routing ----------------------------------------------------------------


def test_a_forward_carries_backends_request_listener_route_and_rule(examples: gatewise.Router) -> None:
    d = examples.route(**CART, headers={"x-request-id": "1"})
    assert d.kind == "forward" and d.protocol == "HTTP"
    assert d.backends == [gatewise.Backend("shop", "api", 8080, 1)]
    assert d.listener == "http"
    assert d.route == gatewise.RouteRef("HTTPRoute", "shop", "store")
    assert (d.rule, d.match_index) == (2, 0)
    assert d.request is not None
    assert (d.request.method, d.request.host, d.request.path) == ("GET", "shop.example.com", "/api/v2/cart")
    assert d.request.header("X-Gateway") == "gatewise"
    assert d.request.header("x-request-id") == "1"


def test_weighted_backends(examples: gatewise.Router) -> None:
    d = examples.route(gateway="infra/gateway", host="shop.example.com", path="/")
    assert sorted((str(b), b.weight) for b in d.backends) == [("shop/store-v1:8080", 90), ("shop/store-v2:8080", 10)]
    assert d.backend is None  # more than one


def test_headers_as_a_mapping_or_pairs(examples: gatewise.Router) -> None:
    for headers in ({"X-Canary": "true"}, [("x-canary", "true")], (("X-CANARY", "true"),)):
        assert str(examples.route(**CART, headers=headers).backend) == "shop/api-canary:8080"
    with pytest.raises(TypeError):
        examples.route(**CART, headers="x-canary: true")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        examples.route(**CART, headers=[("x-canary", 1)])  # type: ignore[list-item]


def test_redirect(examples: gatewise.Router) -> None:
    d = examples.route(gateway="infra/gateway", host="shop.example.com", path="/old-cart?id=7")
    assert (d.kind, d.status, d.location) == ("redirect", 301, "http://shop.example.com/cart?id=7")


def test_no_match_is_a_decision_not_an_exception(examples: gatewise.Router) -> None:
    d = examples.route(gateway="infra/gateway", host="nope.example.com")
    assert (d.kind, d.status, d.reason) == ("respond", 404, "NoMatchingRoute")
    d = examples.route(gateway="infra/gateway", host="other.example.org")
    assert (d.kind, d.status, d.reason) == ("respond", 404, "NoMatchingListener")
    assert d.route is None and d.backends == []
    assert examples.route(gateway="infra/nope").kind == "reject"
    assert examples.route(gateway="infra/gateway", port=8080).kind == "reject"


def test_defaults_port_method_and_host(examples: gatewise.Router) -> None:
    e = examples.explain(gateway="infra/gateway")
    assert (e.port, e.protocol, e.host, e.path) == (80, "HTTP", gatewise.DEFAULT_HOST, "/")
    assert examples.explain(gateway="infra/gateway", protocol="https").port == 443


def test_https_takes_the_host_as_sni_unless_given(examples: gatewise.Router) -> None:
    e = examples.explain(gateway="infra/gateway", protocol="HTTPS", host="shop.example.com:8443")
    assert e.sni == "shop.example.com"
    e = examples.explain(gateway="infra/gateway", protocol="HTTPS", host="shop.example.com", sni="x.example.com")
    assert e.sni == "x.example.com"
    assert examples.explain(gateway="infra/gateway", protocol="HTTPS", host="192.0.2.9").sni is None


def test_https_through_a_tls_listener() -> None:
    router = gatewise.load(BASE)
    d = router.route(
        gateway="gateway-conformance-infra/same-namespace-with-https-listener",
        protocol="HTTPS",
        host="second-example.org",
    )
    assert d.kind == "respond" and d.status == 404 and d.reason == "NoMatchingRoute"
    # A server name no listener serves: the handshake is refused.
    d = router.route(
        gateway="gateway-conformance-infra/same-namespace-with-https-listener",
        protocol="HTTPS",
        host="a.example.com",
        sni="a.example.com",
        port=8443,
    )
    assert d.kind == "reject"


def test_grpc_sets_the_path_and_answers_with_a_grpc_status(examples: gatewise.Router) -> None:
    for call in ("com.example.Cart/Get", ("com.example.Cart", "Get")):
        e = examples.explain(gateway="infra/gateway", protocol="grpc", host="nope.example.com", grpc=call)
        assert e.protocol == "GRPC" and e.path == "/com.example.Cart/Get"
        d = e.decision
        # No route for the host: the gateway answers 404, which a proxy sends
        # as gRPC Unimplemented (12).
        assert (d.kind, d.status, d.grpc_status) == ("respond", 404, 12)
    with pytest.raises(ValueError, match="either path or grpc"):
        examples.route(gateway="infra/gateway", protocol="GRPC", grpc="a/b", path="/x")
    with pytest.raises(ValueError, match="service and a method"):
        examples.route(gateway="infra/gateway", protocol="GRPC", grpc="nomethod")


def test_stream_protocols_need_a_port() -> None:
    router = gatewise.load_text(CLASS_AND_GATEWAY)
    with pytest.raises(ValueError, match="port is required for protocol TCP"):
        router.route(gateway="infra/gw", protocol="tcp")
    for protocol in ("TCP", "UDP", "TLS"):
        d = router.route(gateway="infra/gw", protocol=protocol, port=9000)
        assert d.kind in ("forward", "reject"), d


@pytest.mark.parametrize(
    "args, message",
    [
        ({"gateway": "no-namespace"}, "namespace/name"),
        ({"gateway": "a/b/c"}, "namespace/name"),
        ({"gateway": "infra/gateway", "protocol": "QUIC"}, "unknown protocol"),
    ],
)
def test_bad_arguments_raise_value_error(examples: gatewise.Router, args: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        examples.route(**args)


def test_routing_arguments_are_keyword_only(examples: gatewise.Router) -> None:
    with pytest.raises(TypeError):
        examples.route("infra/gateway")  # type: ignore[call-arg]


def test_response_headers_after_response_filters() -> None:
    router = (
        gatewise.Loader()
        .add_text(CLASS_AND_GATEWAY)
        .add_object(
            route(
                "r",
                "/",
                filters=[
                    {
                        "type": "ResponseHeaderModifier",
                        "responseHeaderModifier": {"add": [{"name": "X-Add", "value": "gw"}], "remove": ["X-Secret"]},
                    }
                ],
            )
        )
        .finish()
    )
    d = router.route(gateway="infra/gw", backend_response_headers={"X-Add": "backend", "X-Secret": "s"})
    assert d.response_header("x-add") == "backend,gw"
    assert d.response_header("x-secret") is None


def test_mirrors() -> None:
    router = (
        gatewise.Loader()
        .add_text(CLASS_AND_GATEWAY)
        .add_object(
            route(
                "r",
                "/",
                filters=[
                    {
                        "type": "RequestMirror",
                        "requestMirror": {"backendRef": {"name": "other", "port": 8080}, "percent": 25},
                    }
                ],
            )
        )
        .finish()
    )
    assert router.route(gateway="infra/gw").mirrors == [gatewise.Mirror("app", "other", 8080, 25.0)]


def test_decisions_are_frozen_plain_data(examples: gatewise.Router) -> None:
    d = examples.route(**CART)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.kind = "reject"  # type: ignore[misc]
    assert d == examples.route(**CART)
    assert gatewise.Decision._from(d.to_dict()) == d
    assert "forward to shop/api:8080" in str(d)


def test_the_decision_is_what_the_cli_prints(examples: gatewise.Router, cli: str) -> None:
    out = subprocess.run(
        [
            cli,
            "route",
            EXAMPLES,
            "--gateway",
            "infra/gateway",
            "--host",
            "shop.example.com",
            "--path",
            "/api/v2/cart",
            "-H",
            "x-canary: false",
            "-o",
            "json",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert examples.route(**CART, headers={"x-canary": "false"}).to_dict() == json.loads(out)


# --- explain ----------------------------------------------------------------


def test_explain_says_why(examples: gatewise.Router, cli: str) -> None:
    e = examples.explain(**CART)
    assert e.decision == examples.route(**CART)
    assert e.consistent
    assert [c["outcome"] for c in e.candidates] == ["mismatch", "mismatch", "won", "lost"]
    assert e.listeners[0]["chosen"]
    assert "WON" in e.text and str(e) == e.text
    out = subprocess.run(
        [
            cli,
            "route",
            EXAMPLES,
            "--gateway",
            "infra/gateway",
            "--host",
            "shop.example.com",
            "--path",
            "/api/v2/cart",
            "--explain",
            "-o",
            "json",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert e.to_dict() == json.loads(out)["explanation"]


# --- status -----------------------------------------------------------------


def test_status_is_kubernetes_shaped(examples: gatewise.Router) -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
    status = examples.status(now=now)
    assert [(o["kind"], o["metadata"]["name"]) for o in status] == [
        ("GatewayClass", "gatewise"),
        ("Gateway", "gateway"),
        ("HTTPRoute", "blog"),
        ("HTTPRoute", "store"),
    ]
    gateway = examples.status_of("Gateway", "infra/gateway", now=now)
    assert gateway is not None and gateway["apiVersion"] == "gateway.networking.k8s.io/v1"
    listener = gateway["status"]["listeners"][0]
    assert listener["name"] == "http" and listener["attachedRoutes"] == 2
    assert {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"} in listener["supportedKinds"]
    accepted = next(c for c in gateway["status"]["conditions"] if c["type"] == "Accepted")
    assert accepted["status"] == "True" and accepted["lastTransitionTime"] == "2025-03-01T12:00:00Z"
    assert examples.status_of("GatewayClass", "gatewise") is not None
    assert examples.status_of("HTTPRoute", "shop/nope") is None
    assert examples.all_accepted


def test_not_accepted_objects() -> None:
    text = CLASS_AND_GATEWAY.replace("protocol: TCP", "protocol: SCTP")
    router = gatewise.load_text(text)
    assert not router.all_accepted


def test_report_is_what_gatewise_check_prints(cli: str) -> None:
    router = gatewise.load(EXAMPLES)
    proc = subprocess.run([cli, "check", EXAMPLES, "-o", "json"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    cli_report = json.loads(proc.stdout)

    def without_times(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: without_times(v) for k, v in value.items() if k != "lastTransitionTime"}
        if isinstance(value, list):
            return [without_times(v) for v in value]
        return value

    assert without_times(router.report()) == without_times(cli_report)
