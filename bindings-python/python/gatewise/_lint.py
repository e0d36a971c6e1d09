"""Plain data: lint findings and diff reports.

Like the classes of ``_model``, each is a frozen dataclass built from the core's
own serialisation (``gatewise::lint::LintOutput`` and
``gatewise::diff::DiffOutput``, the JSON ``gatewise lint -o json`` and
``gatewise diff -o json`` print); ``to_dict()`` gives that serialisation back,
unchanged.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Any

from gatewise._model import Decision, Rejection, RouteRequest


@dataclass(frozen=True)
class ObjectRef:
    """An object, by kind, namespace and name."""

    kind: str
    namespace: str
    """Empty for cluster-scoped kinds."""
    name: str

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind} {self.namespace}/{self.name}"
        return f"{self.kind} {self.name}"

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> ObjectRef:
        return cls(kind=raw["kind"], namespace=raw["namespace"], name=raw["name"])


@dataclass(frozen=True)
class ExampleRequest:
    """A concrete request, derived from a rule's match: a lint finding's
    demonstration, or a request whose decision a change alters. Route it with
    ``router.route(**example.route_kwargs())``."""

    gateway: str
    """``namespace/name``."""
    port: int
    protocol: str
    """``HTTP``, ``HTTPS``, ``GRPC``, ``TLS``, ``TCP`` or ``UDP``."""
    host: str
    """The ``Host`` (or the TLS server name's host); empty for TCP and UDP."""
    sni: str | None
    """The TLS server name, when it is not the default for ``host``."""
    method: str | None
    path: str | None
    """Path and query."""
    headers: list[tuple[str, str]]

    def route_kwargs(self) -> RouteRequest:
        """The keyword arguments of :meth:`gatewise.Router.route` that send this
        request."""
        kwargs: RouteRequest = {"gateway": self.gateway, "port": self.port, "protocol": self.protocol}
        if self.host:
            kwargs["host"] = self.host
        if self.sni is not None:
            kwargs["sni"] = self.sni
        if self.method is not None:
            kwargs["method"] = self.method
        if self.path is not None:
            kwargs["path"] = self.path
        if self.headers:
            kwargs["headers"] = list(self.headers)
        return kwargs

    def __str__(self) -> str:
        """One line, as the CLI prints it: ``GET http://shop.example.com/api at
        infra/gw port 80``."""
        method = self.method or ("POST" if self.protocol == "GRPC" else "GET")
        path = self.path or "/"
        if self.protocol in ("HTTP", "HTTPS"):
            text = f"{method} {self.protocol.lower()}://{self.host}{path}"
        elif self.protocol == "GRPC":
            text = f"gRPC call {path} to {self.host}" + (" over TLS" if self.sni is not None else "")
        elif self.protocol == "TLS":
            text = f"TLS connection for server name {self.sni or self.host}"
        elif self.protocol == "TCP":
            text = "TCP connection"
        else:
            text = "UDP datagrams"
        if self.headers:
            text += " (" + ", ".join(f"{n}: {v}" for n, v in self.headers) + ")"
        return f"{text} at {self.gateway} port {self.port}"

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> ExampleRequest:
        return cls(
            gateway=raw["gateway"],
            port=raw["port"],
            protocol=raw["protocol"],
            host=raw.get("host", ""),
            sni=raw.get("sni"),
            method=raw.get("method"),
            path=raw.get("path"),
            headers=[(h["name"], h["value"]) for h in raw.get("headers", ())],
        )


@dataclass(frozen=True)
class Finding:
    """One problem between objects that no status condition shows (see the
    codes GW001 to GW011 in the README)."""

    code: str
    """The stable code, e.g. ``GW001``."""
    name: str
    """The code's name, e.g. ``shadowed-rule``."""
    severity: str
    """``info``, ``warning`` or ``error``."""
    object: ObjectRef
    """The object at fault."""
    field: str
    """The field at fault, in the API server's notation
    (``spec.rules[1].matches[0]``)."""
    message: str
    """What is wrong, in one sentence."""
    related: ObjectRef | None
    """The other object involved, when there is one (the route that wins)."""
    example_request: ExampleRequest | None
    """A request that, routed, shows the problem."""
    view: dict[str, Any] = _field(repr=False, compare=False)
    """The finding as the core serialises it."""

    def __str__(self) -> str:
        return f"{self.severity} {self.code} {self.name}: {self.object} {self.field}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The finding as the core serialises it (an element of ``findings`` in
        ``gatewise lint -o json``)."""
        return copy.deepcopy(self.view)

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> Finding:
        related = raw.get("related")
        example = raw.get("exampleRequest")
        return cls(
            code=raw["code"],
            name=raw["name"],
            severity=raw["severity"],
            object=ObjectRef._from(raw["object"]),
            field=raw["field"],
            message=raw["message"],
            related=ObjectRef._from(related) if related else None,
            example_request=ExampleRequest._from(example) if example else None,
            view=raw,
        )


@dataclass(frozen=True)
class LintReport:
    """What :meth:`gatewise.Router.lint` finds: ``findings`` sorted by object,
    field and code, and the objects loading rejected (they take no part)."""

    findings: list[Finding]
    rejected: list[Rejection]
    view: dict[str, Any] = _field(repr=False, compare=False)
    """The report as the core serialises it (``gatewise lint -o json``)."""

    def codes(self) -> list[str]:
        """The code of every finding, in order."""
        return [f.code for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """The report as ``gatewise lint -o json`` prints it: ``findings``,
        ``rejected`` and ``errors`` (always empty here: unreadable documents
        raise when loading)."""
        return copy.deepcopy(self.view)

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> LintReport:
        return cls(
            findings=[Finding._from(f) for f in raw["findings"]],
            rejected=[Rejection._from(r) for r in raw["rejected"]],
            view=raw,
        )


@dataclass(frozen=True)
class StatusValue:
    """A condition's value, or a listener's ``attachedRoutes`` count as
    ``status``."""

    status: str
    """``True``, ``False``, or the count."""
    reason: str | None
    message: str | None


@dataclass(frozen=True)
class StatusChange:
    """One status condition (or ``attachedRoutes``) of one object that differs
    between the two versions."""

    object: ObjectRef
    listener: str | None
    """For a listener's condition: the listener's name."""
    parent: dict[str, Any] | None
    """For a route's condition: the parentRef it is reported for."""
    condition: str
    """``Accepted``, ``ResolvedRefs``, ... or ``attachedRoutes``."""
    old: StatusValue | None
    """In the old version (None: absent)."""
    new: StatusValue | None
    """In the new version (None: absent)."""

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> StatusChange:
        def value(v: dict[str, Any] | None) -> StatusValue | None:
            if v is None:
                return None
            return StatusValue(status=v["status"], reason=v.get("reason"), message=v.get("message"))

        return cls(
            object=ObjectRef._from(raw["object"]),
            listener=raw.get("listener"),
            parent=raw.get("parent"),
            condition=raw["condition"],
            old=value(raw.get("old")),
            new=value(raw.get("new")),
        )


@dataclass(frozen=True)
class TrafficChange:
    """A request whose decision differs between the two versions."""

    request: ExampleRequest
    sources: list[dict[str, Any]]
    """The rule matches or listeners it was derived from (``version``,
    ``object``, ``rule``, ``matchIndex``, ``listener``)."""
    differs: list[str]
    """The decision fields that differ (``kind``, ``route``, ``backends``, ...)."""
    old: Decision
    """The decision in the old version."""
    new: Decision
    """The decision in the new version."""

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> TrafficChange:
        return cls(
            request=ExampleRequest._from(raw["request"]),
            sources=raw["sources"],
            differs=raw["differs"],
            old=Decision._from(raw["old"]),
            new=Decision._from(raw["new"]),
        )


@dataclass(frozen=True)
class DiffReport:
    """What a change to the manifests does (:func:`gatewise.diff`): status
    conditions that change, and requests, one derived from every rule match of
    either version, whose decision changes."""

    status_changes: list[StatusChange]
    traffic_changes: list[TrafficChange]
    skipped: list[dict[str, Any]]
    """Matches no request could be derived from, each with a ``note``."""
    requests_checked: int
    """How many distinct requests were routed through both versions."""
    rejected_old: list[Rejection]
    """Objects the old version's loading rejected."""
    rejected_new: list[Rejection]
    """Objects the new version's loading rejected."""
    view: dict[str, Any] = _field(repr=False, compare=False)
    """The report as the core serialises it (``gatewise diff -o json``)."""

    @property
    def changed(self) -> bool:
        """Whether status or traffic changes (what a CI gate checks)."""
        return bool(self.status_changes or self.traffic_changes)

    def to_dict(self) -> dict[str, Any]:
        """The report as ``gatewise diff -o json`` prints it."""
        return copy.deepcopy(self.view)

    @classmethod
    def _from(cls, raw: dict[str, Any]) -> DiffReport:
        return cls(
            status_changes=[StatusChange._from(c) for c in raw["statusChanges"]],
            traffic_changes=[TrafficChange._from(c) for c in raw["trafficChanges"]],
            skipped=raw["skipped"],
            requests_checked=raw["requestsChecked"],
            rejected_old=[Rejection._from(r) for r in raw["rejected"]["old"]],
            rejected_new=[Rejection._from(r) for r in raw["rejected"]["new"]],
            view=raw,
        )
