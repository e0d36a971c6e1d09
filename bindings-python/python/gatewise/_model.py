"""Plain data: decisions, explanations and load findings.

Every class here is a frozen dataclass built from the core's own serialisation
(the same JSON ``gatewise route -o json`` and ``gatewise check -o json`` print);
``to_dict()`` gives that serialisation back, unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar, Union

Headers = Union[Mapping[str, str], Sequence[tuple[str, str]]]
"""Request headers: a mapping, or ``(name, value)`` pairs (names may repeat)."""


_T = TypeVar("_T")


def _build(cls: type[_T], fields: dict[str, Any]) -> _T:
    """An instance of the frozen dataclass ``cls`` from every one of its fields,
    without the frozen ``__init__`` (one ``object.__setattr__`` per field):
    routing builds several per call. ``fields`` must name every field."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def _headers(raw: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in raw or ()]


def _header_value(headers: list[tuple[str, str]], name: str) -> str | None:
    """Every value of ``name`` (case-insensitive) joined by ``,``, or None."""
    values = [v for k, v in headers if k.lower() == name.lower()]
    return ",".join(values) if values else None


@dataclass(frozen=True)
class SourceLocation:
    """Where a document or object was read."""

    source: str
    """The name of the text: a file path, or the ``source`` given when loading."""
    document: int
    """Index of the YAML document within the source, from 0."""
    line: int
    """Line within the source, from 1."""

    def __str__(self) -> str:
        return f"{self.source}:{self.line} (document {self.document})"

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> SourceLocation:
        return cls(source=raw["source"], document=raw["document"], line=raw["line"])


@dataclass(frozen=True)
class FieldError:
    """One schema or CEL rule an object breaks."""

    field: str
    """The field path (``spec.rules[0].matches[0].path.value``); for a rule that
    relates several fields, the path where the rule is declared."""
    message: str
    """What is wrong."""

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass(frozen=True)
class Rejection:
    """An object the API server would refuse. It takes no part in routing."""

    kind: str
    namespace: str
    """Empty for cluster-scoped kinds."""
    name: str
    errors: list[FieldError]
    """Every rule the object breaks (at least one)."""
    location: SourceLocation

    def __str__(self) -> str:
        obj = f"{self.namespace}/{self.name}" if self.namespace else self.name
        errors = "; ".join(str(e) for e in self.errors)
        return f"{self.kind} {obj} rejected ({self.location}): {errors}"

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> Rejection:
        obj = raw["object"]
        return cls(
            kind=obj["kind"],
            namespace=obj["namespace"],
            name=obj["name"],
            errors=[FieldError(field=e["field"], message=e["message"]) for e in raw["errors"]],
            location=SourceLocation._from(raw["location"]),
        )


@dataclass(frozen=True)
class LoadWarning:
    """Something accepted with a change: an unknown field pruned, as the API
    server prunes it (a typo in a manifest should not pass silently)."""

    kind: str
    namespace: str
    name: str
    field: str
    message: str
    location: SourceLocation

    def __str__(self) -> str:
        obj = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"{self.kind} {obj} ({self.location}): {self.field}: {self.message}"

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> LoadWarning:
        obj = raw["object"]
        return cls(
            kind=obj["kind"],
            namespace=obj["namespace"],
            name=obj["name"],
            field=raw["field"],
            message=raw["message"],
            location=SourceLocation._from(raw["location"]),
        )


@dataclass(frozen=True)
class SkippedObject:
    """An object of a kind Gatewise does not read (a Deployment, a ConfigMap):
    passed over, not an error."""

    api_version: str
    kind: str
    namespace: str
    name: str
    location: SourceLocation

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> SkippedObject:
        obj = raw["object"]
        return cls(
            api_version=raw["api_version"],
            kind=obj["kind"],
            namespace=obj["namespace"],
            name=obj["name"],
            location=SourceLocation._from(raw["location"]),
        )


@dataclass(frozen=True)
class RouteRef:
    """The route whose rule decided."""

    kind: str
    """``HTTPRoute``, ``GRPCRoute``, ``TLSRoute``, ..."""
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Backend:
    """One weighted backend of a forward (zero weights are left out).

    A backendRef that does not resolve (no such Service or port, a kind Gatewise
    does not know, a cross-namespace reference without a ReferenceGrant) keeps
    its weight but has no ``name``: its share of requests is answered with
    ``status`` 500 (for a TLS/TCP/UDP stream: that share of connections is
    refused), and ``reason`` says why.
    """

    namespace: str | None
    name: str | None
    port: int | None
    weight: int
    status: int | None = None
    reason: str | None = None

    @property
    def valid(self) -> bool:
        """Whether this is a Service port (not an invalid backend's share)."""
        return self.status is None and self.name is not None

    def __str__(self) -> str:
        if self.valid:
            return f"{self.namespace}/{self.name}:{self.port}"
        return f"status {self.status} ({self.reason})"


@dataclass(frozen=True)
class UpstreamRequest:
    """The request as the backend receives it, after filters (rewrites, header
    modifiers)."""

    method: str
    host: str
    """The ``Host`` value exactly (with the port the client sent, unless rewritten)."""
    path: str
    """Path and query."""
    headers: list[tuple[str, str]]
    """Headers in order, names as sent or as set by a filter."""

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive); several values are
        joined by ``,``; None when absent."""
        return _header_value(self.headers, name)


@dataclass(frozen=True)
class Mirror:
    """A backend that receives a mirrored copy of the request."""

    namespace: str
    name: str
    port: int
    percent: float
    """Share of requests mirrored, 0 to 100."""

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}:{self.port}"


@dataclass(frozen=True)
class Decision:
    """Where a request goes. "No match" is a decision too (``respond`` 404), never
    an exception.

    ``kind`` is one of:

    - ``forward``: sent to ``backends`` (weighted); ``request`` is what the
      backend receives, ``response_headers`` what the client receives back,
      ``mirrors`` who gets a copy.
    - ``redirect``: answered with ``status`` (301, 302, ...) and ``location``.
    - ``respond``: answered by the gateway with ``status``: 404 no route, 500 no
      valid backend, 421 misdirected, 400 bad path, 200 CORS preflight.
      ``reason`` says which; for gRPC, ``grpc_status`` is what a proxy sends.
    - ``reject``: the connection is refused (no listener on the port, a TLS
      server name no listener serves, a TLS/TCP/UDP connection with no route).
    """

    kind: str
    """``forward``, ``redirect``, ``respond`` or ``reject``."""
    protocol: str | None
    """For a forward: what is forwarded (``HTTP``, ``HTTPS``, ``GRPC``, ``TLS``,
    ``TCP``, ``UDP``)."""
    tls_mode: str | None
    """For a TLS forward: ``Passthrough`` or ``Terminate``."""
    status: int | None
    """The status of a redirect or of a direct answer."""
    location: str | None
    """The ``Location`` of a redirect."""
    reason: str | None
    """Why a direct answer or refusal, e.g. ``NoMatchingRoute``."""
    grpc_status: int | None
    """For a gRPC request the gateway answers itself: the ``grpc-status``."""
    listener: str | None
    """The listener (sectionName) that accepted the request."""
    route: RouteRef | None
    """The route whose rule decided."""
    rule: int | None
    """Index of that rule in the route."""
    rule_name: str | None
    """The rule's ``name``, if it has one."""
    match_index: int | None
    """Index of the match within the rule."""
    backends: list[Backend]
    """Weighted backends with non-zero weight."""
    request: UpstreamRequest | None
    """The request as the backend receives it, after filters."""
    response_headers: list[tuple[str, str]]
    """Response headers the client receives: the backend's (see
    ``backend_response_headers`` of :meth:`Router.route`) after response filters,
    or the gateway's own (a CORS preflight)."""
    mirrors: list[Mirror]
    """Backends that receive a mirrored copy."""
    timeouts: dict[str, str] | None
    """The rule's timeouts (``request``, ``backendRequest``, e.g. ``"500ms"``)."""
    view: dict[str, Any] = field(repr=False, compare=False)
    """The decision as the core serialises it (``gatewise route -o json``)."""

    @classmethod
    def _from(cls, view: dict[str, Any]) -> Decision:
        get = view.get
        route = get("route")
        request = get("request")
        return _build(
            cls,
            {
                "kind": view["kind"],
                "protocol": get("protocol"),
                "tls_mode": get("tlsMode"),
                "status": get("status"),
                "location": get("location"),
                "reason": get("reason"),
                "grpc_status": get("grpcStatus"),
                "listener": get("listener"),
                "route": _build(
                    RouteRef, {"kind": route["kind"], "namespace": route["namespace"], "name": route["name"]}
                )
                if route
                else None,
                "rule": get("rule"),
                "rule_name": get("ruleName"),
                "match_index": get("matchIndex"),
                "backends": [
                    _build(
                        Backend,
                        {
                            "namespace": b.get("namespace"),
                            "name": b.get("name"),
                            "port": b.get("port"),
                            "weight": b["weight"],
                            "status": b.get("status"),
                            "reason": b.get("reason"),
                        },
                    )
                    for b in get("backends", ())
                ],
                "request": _build(
                    UpstreamRequest,
                    {
                        "method": request["method"],
                        "host": request["host"],
                        "path": request["path"],
                        "headers": _headers(request.get("headers")),
                    },
                )
                if request
                else None,
                "response_headers": _headers(get("responseHeaders")),
                "mirrors": [
                    Mirror(m["namespace"], m["name"], m["port"], float(m["percent"])) for m in get("mirrors", ())
                ],
                "timeouts": get("timeouts"),
                "view": view,
            },
        )

    @property
    def backend(self) -> Backend | None:
        """The only backend, when a forward has exactly one; else None."""
        return self.backends[0] if self.kind == "forward" and len(self.backends) == 1 else None

    def response_header(self, name: str) -> str | None:
        """The value of response header ``name`` (case-insensitive); several
        values are joined by ``,``; None when absent."""
        return _header_value(self.response_headers, name)

    def to_dict(self) -> dict[str, Any]:
        """The decision as the core serialises it (``gatewise route -o json``)."""
        return copy.deepcopy(self.view)

    def __str__(self) -> str:
        if self.kind == "forward":
            shares = ", ".join(f"{b} (weight {b.weight})" for b in self.backends)
            text = f"forward to {shares or 'no backend'}"
        elif self.kind == "redirect":
            text = f"redirect {self.status} to {self.location}"
        elif self.kind == "respond":
            text = f"status {self.status} ({self.reason})"
        else:
            text = f"{self.kind} ({self.reason})"
        if self.route is not None:
            text += f" by {self.route.kind} {self.route} rule {self.rule}"
            if self.listener is not None:
                text += f" on listener {self.listener}"
        return text


@dataclass(frozen=True)
class Explanation:
    """Why a request got its decision: the listeners considered and, on the
    chosen listener, every candidate rule in precedence order and why it won,
    lost or did not match. ``str()`` gives the text ``gatewise route --explain``
    prints."""

    decision: Decision
    text: str
    """The explanation for people."""
    gateway: str
    port: int
    protocol: str
    host: str
    """The ``Host`` as sent."""
    matched_host: str
    """The host as matched (lower case, no port, no trailing dot)."""
    sni: str | None
    path: str
    normalized_path: str | None
    """The path as matched; None when it is not a valid path (400)."""
    listeners: list[dict[str, Any]]
    """The Gateway's listeners on the port, and which one was chosen."""
    listener_outcome: str
    """How the listener was chosen, or why none was."""
    candidates: list[dict[str, Any]]
    """Candidate rule matches on the chosen listener, in precedence order, each
    with ``outcome`` ``won``, ``lost`` or ``mismatch``."""
    consistent: bool
    """Whether the linear scan agrees with the router's index (always true
    unless Gatewise has a bug)."""
    view: dict[str, Any] = field(repr=False, compare=False)
    """The explanation as the core serialises it."""

    @classmethod
    def _from(cls, view: dict[str, Any], text: str) -> Explanation:
        return cls(
            decision=Decision._from(view["decision"]),
            text=text,
            gateway=view["gateway"],
            port=view["port"],
            protocol=view["protocol"],
            host=view["host"],
            matched_host=view.get("matchedHost", ""),
            sni=view.get("sni"),
            path=view.get("path", ""),
            normalized_path=view.get("normalizedPath"),
            listeners=view.get("listeners", []),
            listener_outcome=view.get("listenerOutcome", ""),
            candidates=view.get("candidates", []),
            consistent=view.get("consistent", True),
            view=view,
        )

    def to_dict(self) -> dict[str, Any]:
        """The explanation as the core serialises it."""
        return copy.deepcopy(self.view)

    def __str__(self) -> str:
        return self.text


class _RequestBase(TypedDict):
    gateway: str


class RouteRequest(_RequestBase, total=False):
    """The keyword arguments of :meth:`Router.route` as a dict, for helpers that
    take a request (``gatewise.testing``): ``gateway`` is required."""

    port: int | None
    protocol: str
    host: str | None
    sni: str | None
    method: str | None
    path: str | None
    grpc: str | tuple[str, str] | None
    headers: Headers | None
