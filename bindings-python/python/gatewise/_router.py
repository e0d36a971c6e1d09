"""Loading manifests and asking the compiled result questions."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from gatewise import _native
from gatewise._errors import DocumentError, RejectedObjectError, _chain, _document_error
from gatewise._lint import DiffReport, LintReport
from gatewise._model import (
    Decision,
    Explanation,
    Headers,
    LoadWarning,
    Rejection,
    SkippedObject,
)

DEFAULT_CONTROLLER_NAME: str = _native.DEFAULT_CONTROLLER_NAME
"""The ``spec.controllerName`` of the GatewayClasses Gatewise handles unless told
otherwise: ``gatewise.dev/gateway-controller``."""

DEFAULT_HOST: str = _native.DEFAULT_HOST
"""The ``Host`` a request carries when none is given: ``192.0.2.1``, the
gateway's address, as a client that knows no name sends."""

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def _unix(now: datetime | None) -> int:
    if now is None:
        return int(time.time())
    return int(now.timestamp())


class Router:
    """Manifests loaded and compiled: where requests go, and the status of every
    object. Immutable; make one with :func:`load`, :func:`load_text`,
    :func:`load_objects` or a :class:`Loader`.

    Only objects that belong to a GatewayClass whose ``spec.controllerName`` is
    ``controller_name`` are handled: those classes, their Gateways, and the
    routes that name those Gateways. Gateways of other classes are passed over,
    as a real controller would pass them over.
    """

    controller_name: str
    """The controller name the GatewayClasses were matched against."""
    rejected: list[Rejection]
    """Objects the API server would refuse (schema or CEL rules), with the field
    path of each broken rule; they take no part in routing."""
    warnings: list[LoadWarning]
    """Unknown fields pruned, as the API server prunes them."""
    skipped: list[SkippedObject]
    """Objects of kinds Gatewise does not read, passed over."""

    def __init__(self, compiled: _native.Compiled, findings: dict[str, Any], controller_name: str) -> None:
        """Not for direct use: see :func:`load` and :class:`Loader`."""
        self._compiled = compiled
        self._findings = findings
        self.controller_name = controller_name
        self.rejected = [Rejection._from(r) for r in findings["rejected"]]
        self.warnings = [LoadWarning._from(w) for w in findings["warnings"]]
        self.skipped = [SkippedObject._from(s) for s in findings["skipped"]]
        self._all_accepted = compiled.all_accepted()

    def __repr__(self) -> str:
        return (
            f"<gatewise.Router gateways={self.gateways()!r} rejected={len(self.rejected)} "
            f"controller_name={self.controller_name!r}>"
        )

    def route(
        self,
        *,
        gateway: str,
        port: int | None = None,
        protocol: str = "HTTP",
        host: str | None = None,
        sni: str | None = None,
        method: str | None = None,
        path: str | None = None,
        grpc: str | tuple[str, str] | None = None,
        headers: Headers | None = None,
        backend_response_headers: Headers | None = None,
    ) -> Decision:
        """Decides where one request goes. Never raises for "no match": that is
        a :class:`Decision` (``respond`` 404, or ``reject`` for a connection no
        listener takes).

        :param gateway: the Gateway hit, as ``"namespace/name"``.
        :param port: the port the request arrives on; default 80 for HTTP and
            GRPC, 443 for HTTPS and TLS; required for TCP and UDP.
        :param protocol: ``HTTP``, ``HTTPS``, ``GRPC``, ``TLS``, ``TCP`` or
            ``UDP`` (any case).
        :param host: the ``Host`` (or ``:authority``), may carry a port; default
            :data:`DEFAULT_HOST`.
        :param sni: the TLS server name; default for HTTPS and TLS: ``host``
            without its port, none for an IP address. On GRPC, giving ``sni``
            means gRPC over TLS (an HTTPS listener).
        :param method: default ``GET`` (``POST`` for GRPC).
        :param path: the request target, path and query (``/cart?id=1``);
            default ``/``.
        :param grpc: a gRPC call, ``"service/method"`` or ``(service, method)``:
            sets the path to ``/service/method`` (give it instead of ``path``).
        :param headers: request headers, a mapping or ``(name, value)`` pairs
            (names may repeat; they compare case-insensitively).
        :param backend_response_headers: what the backend answers with, so that
            :attr:`Decision.response_headers` shows what the client receives
            after the response filters.
        :raises ValueError: a malformed ``gateway``, an unknown ``protocol``, or
            no ``port`` for TCP or UDP.
        """
        view = self._compiled.route(
            gateway=gateway,
            port=port,
            protocol=protocol,
            host=host,
            sni=sni,
            method=method,
            path=path,
            grpc=grpc,
            headers=headers,
            backend_response_headers=backend_response_headers,
        )
        return Decision._from(view)

    def explain(
        self,
        *,
        gateway: str,
        port: int | None = None,
        protocol: str = "HTTP",
        host: str | None = None,
        sni: str | None = None,
        method: str | None = None,
        path: str | None = None,
        grpc: str | tuple[str, str] | None = None,
        headers: Headers | None = None,
    ) -> Explanation:
        """Routes one request as :meth:`route` does and records why: the
        listeners considered and every candidate rule in precedence order.
        Takes the same arguments as :meth:`route`; ``str()`` of the result is
        what ``gatewise route --explain`` prints."""
        view, text = self._compiled.explain(
            gateway=gateway,
            port=port,
            protocol=protocol,
            host=host,
            sni=sni,
            method=method,
            path=path,
            grpc=grpc,
            headers=headers,
        )
        return Explanation._from(view, text)

    def status(self, *, now: datetime | None = None) -> list[dict[str, Any]]:
        """The status of every handled object, Kubernetes-shaped: a list of
        ``{"apiVersion", "kind", "metadata": {"name", "namespace"}, "status"}``
        as ``kubectl get -o json`` shows them (GatewayClasses, then Gateways,
        then routes of every kind, each sorted by namespace and name).

        :param now: the ``lastTransitionTime`` of every condition (Gatewise
            reads no clock of its own); default: the current time.
        """
        result: list[dict[str, Any]] = self._compiled.status(_unix(now))
        return result

    def status_of(self, kind: str, name: str, *, now: datetime | None = None) -> dict[str, Any] | None:
        """The status of one object, as :meth:`status` gives it, or None when
        the object is not handled (no such object, or not of our GatewayClass).

        :param kind: e.g. ``Gateway``, ``HTTPRoute``, ``GatewayClass``.
        :param name: ``"namespace/name"``; just ``"name"`` for a GatewayClass
            (and for namespaced kinds, the ``default`` namespace).
        """
        namespace, _, bare = name.rpartition("/")
        if not namespace and kind != "GatewayClass":
            namespace = "default"
        for obj in self.status(now=now):
            meta = obj.get("metadata", {})
            if obj.get("kind") == kind and meta.get("name") == bare and meta.get("namespace", "") == namespace:
                return obj
        return None

    @property
    def all_accepted(self) -> bool:
        """Whether no handled object (GatewayClass, Gateway, listener, route
        parent) has ``Accepted=False``."""
        return self._all_accepted

    def gateways(self) -> list[str]:
        """Every Gateway of our GatewayClasses, as ``"namespace/name"``, sorted."""
        return [f"{ns}/{name}" for ns, name in self._compiled.gateways()]

    def lint(self, *, allow: Iterable[str] = ()) -> LintReport:
        """Problems between objects that no status condition shows: rules that
        never win, routes that silently lose to older ones, references and
        grants that resolve to nothing, hostnames no listener serves, ... (codes
        GW001 to GW011), each with the object, the field, a sentence and, where
        one exists, an example request that shows the problem when routed::

            for f in router.lint().findings:
                print(f)
                if f.example_request is not None:
                    print("  ", router.route(**f.example_request.route_kwargs()))

        The same findings as ``gatewise lint -o json`` (``to_dict()`` is its
        output).

        :param allow: codes (``GW010``) or names (``listener-without-routes``)
            to leave out.
        :raises ValueError: an unknown code in ``allow``.
        """
        return LintReport._from(self._compiled.lint(allow=list(allow)))

    def report(self, *, now: datetime | None = None) -> dict[str, Any]:
        """Everything ``gatewise check -o json`` prints, with the same keys and
        shapes: ``status`` (as :meth:`status`), ``rejected``, ``warnings``,
        ``errors`` (always empty here: unreadable documents raise) and
        ``skipped``."""
        return {
            "status": self.status(now=now),
            "rejected": self._findings["rejected"],
            "warnings": self._findings["warnings"],
            "errors": self._findings["errors"],
            "skipped": self._findings["skipped"],
        }


class Loader:
    """Collects manifests from several places, then loads them as one set, as
    ``kubectl apply -f`` would apply them in that order: objects without
    ``metadata.creationTimestamp`` are taken as created in the order they were
    added (one second apart), and a later object with the same kind, namespace
    and name replaces the earlier one::

        router = (
            gatewise.Loader(controller_name="example.com/gateway")
            .add_path("deploy/")
            .add_objects(objects_from_the_cluster)
            .finish()
        )
    """

    def __init__(self, *, controller_name: str = DEFAULT_CONTROLLER_NAME) -> None:
        """:param controller_name: GatewayClasses with this ``spec.controllerName``
        are handled."""
        self.controller_name = controller_name
        self._native = _native.Loader()

    def add_path(self, *paths: str | os.PathLike[str]) -> Loader:
        """Adds files, and folders scanned recursively for ``*.yaml``, ``*.yml``
        and ``*.json``; all the files of one call are read in sorted path order
        (as ``gatewise check PATHS`` reads them). A path that cannot be read
        raises the usual :class:`OSError`."""
        files: list[str] = []
        for path in paths:
            path = os.fspath(path)
            if os.path.isdir(path):
                _walk(path, files)
            elif os.path.exists(path):
                files.append(path)
            else:
                raise FileNotFoundError(2, "No such file or directory", path)
        seen: set[tuple[str, ...]] = set()
        for file in sorted(files, key=_path_key):
            key = _path_key(file)
            if key in seen:
                continue
            seen.add(key)
            with open(file, encoding="utf-8") as f:
                text = f.read()
            self._native.add_text(file, text)
        return self

    def add_text(self, text: str, *, source: str = "<text>") -> Loader:
        """Adds YAML or JSON text: one or more documents (``---``), ``kind: List``
        items, a ``kubectl get -A -o yaml`` dump. ``source`` names it in errors."""
        self._native.add_text(source, text)
        return self

    def add_object(self, obj: Mapping[str, Any], *, source: str = "<objects>") -> Loader:
        """Adds one already-parsed object (or a ``kind: List``), e.g. a dict from
        the kubernetes client's ``CustomObjectsApi`` (camelCase keys, as the API
        server sends them). Values must be dicts, lists, str, int, float, bool
        or None (a ``datetime`` becomes its RFC 3339 text).

        :raises TypeError: a value of another type (the message names its path).
        """
        self._native.add_object(source, obj)
        return self

    def add_objects(self, objects: Iterable[Mapping[str, Any]], *, source: str = "<objects>") -> Loader:
        """Adds already-parsed objects, in order (see :meth:`add_object`)."""
        for obj in objects:
            self.add_object(obj, source=source)
        return self

    def finish(self, *, strict: bool = False) -> Router:
        """Loads and compiles everything added.

        :param strict: also raise :class:`RejectedObjectError` when an object
            is rejected (by default rejections are returned in
            :attr:`Router.rejected` and the rest still loads).
        :raises DocumentError: a document could not be read at all (always).
        :raises RejectedObjectError: with ``strict``, an object the API server
            would refuse; ``problems`` lists every one.
        """
        compiled, findings = self._native.finish(self.controller_name)
        if findings["errors"]:
            raise _chain([_document_error(e) for e in findings["errors"]])
        router = Router(compiled, findings, self.controller_name)
        if strict and router.rejected:
            raise _chain([RejectedObjectError(r) for r in router.rejected])
        return router


def _path_key(path: str) -> tuple[str, ...]:
    # Component-wise, as Rust's `PathBuf` sorts (and as `gatewise check` reads).
    return tuple(p for p in path.split(os.sep) if p not in ("", "."))


def _walk(folder: str, out: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            path = os.path.join(folder, entry.name)
            if entry.is_dir():
                _walk(path, out)
            elif entry.name.endswith(_MANIFEST_SUFFIXES):
                out.append(path)


def load(
    *paths: str | os.PathLike[str],
    controller_name: str = DEFAULT_CONTROLLER_NAME,
    strict: bool = False,
) -> Router:
    """Loads manifest files and folders (scanned recursively for ``*.yaml``,
    ``*.yml``, ``*.json``) and compiles them::

        router = gatewise.load("deploy/", "base/gatewayclass.yaml")

    See :meth:`Loader.finish` for ``strict`` and what raises.
    """
    return Loader(controller_name=controller_name).add_path(*paths).finish(strict=strict)


def load_text(
    text: str,
    *,
    source: str = "<text>",
    controller_name: str = DEFAULT_CONTROLLER_NAME,
    strict: bool = False,
) -> Router:
    """Loads YAML or JSON text (one or more documents) and compiles it.
    See :meth:`Loader.finish` for ``strict`` and what raises."""
    return Loader(controller_name=controller_name).add_text(text, source=source).finish(strict=strict)


def load_objects(
    objects: Iterable[Mapping[str, Any]] | Mapping[str, Any],
    *,
    source: str = "<objects>",
    controller_name: str = DEFAULT_CONTROLLER_NAME,
    strict: bool = False,
) -> Router:
    """Loads already-parsed objects (dicts, e.g. from the kubernetes client;
    one object or ``kind: List`` dict, or an iterable of them) and compiles them.
    See :meth:`Loader.add_object` for the accepted values and
    :meth:`Loader.finish` for ``strict`` and what raises."""
    loader = Loader(controller_name=controller_name)
    if isinstance(objects, Mapping):
        loader.add_object(objects, source=source)
    else:
        loader.add_objects(objects, source=source)
    return loader.finish(strict=strict)


def diff(old: Router, new: Router) -> DiffReport:
    """What a change from ``old`` to ``new`` does: the status conditions that
    change, and for every rule match of either version a request derived from
    it, routed through both, with both decisions where they differ. Objects in
    both versions keep ``old``'s creation times, as applying ``new`` over
    ``old`` in a cluster would. The same report as ``gatewise diff -o json``
    (``to_dict()`` is its output)::

        report = gatewise.diff(gatewise.load("main/"), gatewise.load("branch/"))
        for change in report.traffic_changes:
            print(change.request, ":", change.old, "->", change.new)

    :raises ValueError: the two were loaded with different ``controller_name``.
    """
    return DiffReport._from(_native.diff(old._compiled, new._compiled))


def parse_yaml(text: str, *, source: str = "<text>") -> Any:
    """Parses one YAML (or JSON) document exactly as the loader reads manifests:
    YAML 1.2 (only ``true``/``false`` are booleans; ``yes``, ``on`` and dates
    stay strings), duplicate keys are errors. Gives plain data (dict, list, str,
    int, float, bool, None).

    :raises DocumentError: the text is not one valid document (``line`` says
        where).
    """
    try:
        return _native.parse_yaml(text)
    except ValueError as e:
        message, line = e.args if len(e.args) == 2 else (str(e), 0)
        raise DocumentError(f"invalid yaml: {message}", source=source, line=line or None) from None
