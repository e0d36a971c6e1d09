"""Gatewise: the Kubernetes Gateway API as a library, for policy tests.

From manifests alone, without a cluster, Gatewise tells you what status a
conformant Gateway API implementation would give your GatewayClasses, Gateways
and routes, and where each request goes, and why::

    import gatewise

    router = gatewise.load("deploy/")              # files and folders
    assert not router.rejected                     # nothing the API server refuses
    decision = router.route(gateway="infra/gateway", host="shop.example.com",
                            path="/api/v2/cart")
    assert decision.kind == "forward"
    assert str(decision.backend) == "shop/api:8080"
    print(router.explain(gateway="infra/gateway", host="shop.example.com",
                         path="/api/v2/cart"))

- Loading: :func:`load` (paths), :func:`load_text`, :func:`load_objects`
  (dicts, e.g. from the kubernetes client), or a :class:`Loader` to combine
  them. Rejected objects are returned (:attr:`Router.rejected`); only a
  document that cannot be read raises (:class:`DocumentError`), and with
  ``strict=True`` a rejected object too (:class:`RejectedObjectError`).
- Routing: :meth:`Router.route` gives a :class:`Decision`,
  :meth:`Router.explain` an :class:`Explanation`. Neither raises for "no match".
- Status: :meth:`Router.status`, Kubernetes-shaped dicts.
- Lint: :meth:`Router.lint` gives a :class:`LintReport` of :class:`Finding`
  (codes GW001 to GW011); :func:`diff` compares two loads (:class:`DiffReport`).
- Assertions for pytest: :mod:`gatewise.testing`.
"""

from gatewise._errors import DocumentError, GatewiseError, LoadError, RejectedObjectError
from gatewise._lint import (
    DiffReport,
    ExampleRequest,
    Finding,
    LintReport,
    ObjectRef,
    StatusChange,
    StatusValue,
    TrafficChange,
)
from gatewise._model import (
    Backend,
    Decision,
    Explanation,
    FieldError,
    Headers,
    LoadWarning,
    Mirror,
    Rejection,
    RouteRef,
    RouteRequest,
    SkippedObject,
    SourceLocation,
    UpstreamRequest,
)
from gatewise._router import (
    DEFAULT_CONTROLLER_NAME,
    DEFAULT_HOST,
    Loader,
    Router,
    diff,
    load,
    load_objects,
    load_text,
    parse_yaml,
)

__all__ = [
    "DEFAULT_CONTROLLER_NAME",
    "DEFAULT_HOST",
    "Backend",
    "Decision",
    "DiffReport",
    "DocumentError",
    "ExampleRequest",
    "Explanation",
    "FieldError",
    "Finding",
    "GatewiseError",
    "Headers",
    "LintReport",
    "LoadError",
    "LoadWarning",
    "Loader",
    "Mirror",
    "ObjectRef",
    "RejectedObjectError",
    "Rejection",
    "RouteRef",
    "RouteRequest",
    "Router",
    "SkippedObject",
    "SourceLocation",
    "StatusChange",
    "StatusValue",
    "TrafficChange",
    "UpstreamRequest",
    "diff",
    "load",
    "load_objects",
    "load_text",
    "parse_yaml",
]
