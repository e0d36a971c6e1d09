"""Assertions for policy tests in pytest.

Each assertion raises :class:`AssertionError` with a message that says what was
expected, what Gatewise decided, and, for a request, the whole explanation
(the listeners considered and every candidate rule in precedence order), so a
failing CI run says *why* a request went elsewhere. Each returns what it
checked, for further asserts::

    import gatewise
    from gatewise.testing import assert_no_rejections, assert_routes_to

    router = gatewise.load("deploy/")

    def test_manifests_are_valid():
        assert_no_rejections(router)

    def test_cart_api_goes_to_the_api_service():
        assert_routes_to(router, "shop/api:8080", gateway="infra/gateway",
                         host="shop.example.com", path="/api/v2/cart")

The request keyword arguments are those of :meth:`gatewise.Router.route`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gatewise._model import Decision, RouteRequest
from gatewise._router import Router

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "assert_all_accepted",
    "assert_no_rejections",
    "assert_redirects",
    "assert_refused",
    "assert_responds",
    "assert_route_accepted",
    "assert_routes_to",
]


def _describe_request(request: Mapping[str, Any]) -> str:
    protocol = str(request.get("protocol", "HTTP")).upper()
    target = request.get("path") or "/"
    grpc = request.get("grpc")
    if grpc is not None:
        target = grpc if isinstance(grpc, str) else "/".join(grpc)
    text = f"{protocol} {request.get('method') or ''} {request.get('host') or '(default host)'}{target}"
    text = " ".join(text.split())
    port = request.get("port")
    text += f" at {request['gateway']}" + (f":{port}" if port is not None else "")
    for key in ("sni", "headers"):
        if request.get(key):
            text += f", {key} {request[key]!r}"
    return text


def _fail(router: Router, request: Mapping[str, Any], expected: str, decision: Decision) -> AssertionError:
    explanation = router.explain(**request)
    return AssertionError(
        f"request: {_describe_request(request)}\n"
        f"expected: {expected}\n"
        f"got:      {decision}\n"
        f"explanation:\n{textwrap.indent(explanation.text.rstrip(), '  ')}"
    )


def _parse_backend(text: str) -> tuple[str | None, str, int | None]:
    """``ns/name:port``, ``ns/name``, ``name:port`` or ``name``."""
    namespace: str | None = None
    rest = text
    if "/" in rest:
        namespace, rest = rest.split("/", 1)
    port: int | None = None
    if ":" in rest:
        rest, port_text = rest.rsplit(":", 1)
        port = int(port_text)
    if not rest or (namespace is not None and not namespace):
        raise ValueError(f"a backend is 'namespace/name:port', 'name:port' or 'name', found {text!r}")
    return namespace, rest, port


def _backend_matches(want: str, b: Any, route_namespace: str) -> bool:
    namespace, name, port = _parse_backend(want)
    return (
        b.valid
        and b.namespace == (namespace if namespace is not None else route_namespace)
        and b.name == name
        and (port is None or b.port == port)
    )


def assert_routes_to(
    router: Router,
    backend: str | Mapping[str, int],
    /,
    **request: Unpack[RouteRequest],
) -> Decision:
    """Asserts the request is forwarded to ``backend``.

    :param backend: the only backend with weight, as ``"namespace/name:port"``
        (``"namespace/name"`` for any port; without a namespace, the deciding
        route's); or a mapping of backends to weights, the exact weighted set
        (``{"shop/store-v1:8080": 90, "shop/store-v2:8080": 10}``), where the key
        ``"500"`` is the share of invalid backends.
    :returns: the decision.
    """
    __tracebackhide__ = True
    decision = router.route(**request)
    route_ns = decision.route.namespace if decision.route else ""
    if isinstance(backend, str):
        ok = (
            decision.kind == "forward"
            and len(decision.backends) == 1
            and _backend_matches(backend, decision.backends[0], route_ns)
        )
        expected = f"forward to {backend}"
    else:
        want = dict(backend)
        have: dict[str, int] = {}
        for b in decision.backends:
            key = "500" if not b.valid else f"{b.namespace}/{b.name}:{b.port}"
            have[key] = have.get(key, 0) + b.weight
        normal: dict[str, int] = {}
        for key, weight in want.items():
            if weight <= 0:
                continue
            if key != "500":
                namespace, name, port = _parse_backend(key)
                key = f"{namespace if namespace is not None else route_ns}/{name}:{port}"
            normal[key] = normal.get(key, 0) + weight
        ok = decision.kind == "forward" and normal == have
        expected = "forward to " + ", ".join(f"{k} (weight {w})" for k, w in want.items())
    if not ok:
        raise _fail(router, request, expected, decision)
    return decision


def assert_redirects(
    router: Router,
    location: str,
    /,
    *,
    status: int | None = None,
    **request: Unpack[RouteRequest],
) -> Decision:
    """Asserts the request is answered with a redirect to ``location`` (the
    whole ``Location`` value) and, when given, that ``status``."""
    __tracebackhide__ = True
    decision = router.route(**request)
    ok = decision.kind == "redirect" and decision.location == location
    if status is not None:
        ok = ok and decision.status == status
    if not ok:
        expected = f"redirect {status if status is not None else '3xx'} to {location}"
        raise _fail(router, request, expected, decision)
    return decision


def assert_responds(router: Router, status: int, /, **request: Unpack[RouteRequest]) -> Decision:
    """Asserts the gateway answers the request itself with ``status`` (404: no
    route; 500: no valid backend; 421: misdirected; 400: a bad path)."""
    __tracebackhide__ = True
    decision = router.route(**request)
    if not (decision.kind == "respond" and decision.status == status):
        raise _fail(router, request, f"status {status} from the gateway", decision)
    return decision


def assert_refused(router: Router, /, **request: Unpack[RouteRequest]) -> Decision:
    """Asserts the connection is refused (``reject``): no listener on the port,
    a TLS server name no listener serves, a TLS/TCP/UDP connection no route
    takes."""
    __tracebackhide__ = True
    decision = router.route(**request)
    if decision.kind != "reject":
        raise _fail(router, request, "the connection refused (reject)", decision)
    return decision


def _conditions(conditions: list[dict[str, Any]]) -> str:
    return ", ".join(f"{c['type']}={c['status']} ({c['reason']}: {c['message']})" for c in conditions)


def assert_route_accepted(
    router: Router,
    route: str,
    /,
    *,
    gateway: str | None = None,
    listener: str | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """Asserts a route is accepted by its parents: every ``status.parents``
    entry of the route (only those naming ``gateway``, and with ``listener``,
    only the parentRef with that ``sectionName``) has ``Accepted=True``.

    :param route: ``"namespace/name"`` of the route.
    :param gateway: ``"namespace/name"`` of a Gateway the route names.
    :param listener: a listener name: the route's parentRef must name it by
        ``sectionName``. (A parentRef naming the whole Gateway attaches to every
        listener that allows the route; Kubernetes status reports such a
        parentRef as one entry, so leave ``listener`` out for it.)
    :param kind: the route kind (default: any kind, ``HTTPRoute``,
        ``GRPCRoute``, ...).
    :returns: the parent entries checked.
    """
    __tracebackhide__ = True
    namespace, _, name = route.rpartition("/")
    namespace = namespace or "default"
    found = [
        obj
        for obj in router.status()
        if "parents" in obj.get("status", {})
        and (kind is None or obj.get("kind") == kind)
        and obj["metadata"].get("namespace") == namespace
        and obj["metadata"].get("name") == name
    ]
    if not found:
        handled = sorted(
            f"{o['kind']} {o['metadata'].get('namespace')}/{o['metadata']['name']}"
            for o in router.status()
            if "parents" in o.get("status", {})
        )
        raise AssertionError(
            f"no status for route {route}{f' of kind {kind}' if kind else ''}: it is not loaded, or "
            f"no parentRef names a Gateway of ours ({router.controller_name}); routes with status: "
            f"{', '.join(handled) or 'none'}"
            + "".join(f"\n{r}" for r in router.rejected if r.namespace == namespace and r.name == name)
        )
    parents = [p for obj in found for p in obj["status"]["parents"]]
    selected = parents
    if gateway is not None:
        gw_ns, _, gw_name = gateway.rpartition("/")
        selected = [
            p
            for p in selected
            if p["parentRef"]["namespace"] == (gw_ns or "default") and p["parentRef"]["name"] == gw_name
        ]
    if listener is not None:
        selected = [p for p in selected if p["parentRef"].get("sectionName") == listener]
    if not selected:
        refs = "; ".join(
            "{kind} {namespace}/{name}".format(**p["parentRef"])
            + (f" sectionName {p['parentRef']['sectionName']}" if "sectionName" in p["parentRef"] else "")
            for p in parents
        )
        wanted = f"gateway {gateway or '(any)'}" + (f" listener (sectionName) {listener}" if listener else "")
        raise AssertionError(f"route {route} has no parentRef for {wanted}; its parentRefs: {refs}")
    failing = [
        p
        for p in selected
        if not any(c["type"] == "Accepted" and c["status"] == "True" for c in p.get("conditions", []))
    ]
    if failing:
        lines = [
            "{kind} {namespace}/{name}".format(**p["parentRef"])
            + (f"/{p['parentRef']['sectionName']}" if "sectionName" in p["parentRef"] else "")
            + f": {_conditions(p.get('conditions', []))}"
            for p in failing
        ]
        raise AssertionError(f"route {route} is not accepted by:\n  " + "\n  ".join(lines))
    return selected


def assert_no_rejections(router: Router) -> None:
    """Asserts no object was rejected (refused by the CRDs' schema or CEL rules,
    as the API server would refuse it); the message names each object, field
    and source line."""
    __tracebackhide__ = True
    if router.rejected:
        raise AssertionError(
            f"{len(router.rejected)} object(s) rejected:\n  " + "\n  ".join(str(r) for r in router.rejected)
        )


def assert_all_accepted(router: Router) -> None:
    """Asserts no handled object (GatewayClass, Gateway, listener, route
    parent) has ``Accepted=False``; the message lists each one with its reason."""
    __tracebackhide__ = True
    if router.all_accepted:
        return
    problems: list[str] = []

    def check(label: str, conditions: list[dict[str, Any]]) -> None:
        for c in conditions:
            if c["type"] == "Accepted" and c["status"] != "True":
                problems.append(f"{label}: Accepted={c['status']} ({c['reason']}: {c['message']})")

    for obj in router.status():
        meta = obj["metadata"]
        label = f"{obj['kind']} " + (f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else meta["name"])
        status = obj.get("status", {})
        check(label, status.get("conditions", []))
        for listener in status.get("listeners", []):
            check(f"{label} listener {listener['name']}", listener.get("conditions", []))
        for parent in status.get("parents", []):
            ref = parent["parentRef"]
            check(f"{label} parent {ref['namespace']}/{ref['name']}", parent.get("conditions", []))
    raise AssertionError("not accepted:\n  " + "\n  ".join(problems))
