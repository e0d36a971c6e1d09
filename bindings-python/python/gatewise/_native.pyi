"""The private native module of ``gatewise`` (Rust, pyo3).

It converts Python values into the core's types and hands back the core's own
serialisation as plain data; the typed public API is the ``gatewise`` package.
Nothing here is stable: use ``gatewise`` instead.
"""

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias, final

__all__ = ["DEFAULT_CONTROLLER_NAME", "DEFAULT_HOST", "Compiled", "Loader", "diff", "parse_yaml"]

DEFAULT_CONTROLLER_NAME: str
"""``gatewise.dev/gateway-controller``."""

DEFAULT_HOST: str
"""``192.0.2.1``: the Host of a request that gives none."""

_Headers: TypeAlias = Mapping[str, str] | Sequence[tuple[str, str]]

@final
class Loader:
    """Collects manifests, then loads and compiles them as one set."""

    def __new__(cls) -> Loader: ...
    def add_text(self, source: str, text: str) -> None:
        """Adds YAML or JSON text (one or more documents) named ``source``."""

    def add_object(self, source: str, obj: Any) -> None:
        """Adds an already-parsed object (or ``List``); raises TypeError or
        ValueError naming the path of a value that is not plain data."""

    def finish(self, controller_name: str) -> tuple[Compiled, dict[str, Any]]:
        """Loads and compiles: the compiled set and the findings (``rejected``,
        ``warnings``, ``skipped``, ``errors``) as the core serialises them.
        A Loader finishes once; using it again raises RuntimeError."""

@final
class Compiled:
    """A compiled set of manifests: the router and the status of every object."""

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
        headers: _Headers | None = None,
        backend_response_headers: _Headers | None = None,
    ) -> dict[str, Any]:
        """The decision for one request, as the core's ``DecisionView``
        serialises it."""

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
        headers: _Headers | None = None,
    ) -> tuple[dict[str, Any], str]:
        """The explanation as serialised, and as text."""

    def status(self, now: int) -> list[dict[str, Any]]:
        """Every handled object, Kubernetes-shaped, with ``now`` (Unix seconds)
        as ``lastTransitionTime``."""

    def all_accepted(self) -> bool:
        """Whether no handled object has ``Accepted=False``."""

    def gateways(self) -> list[tuple[str, str]]:
        """Every Gateway served, as ``(namespace, name)``, sorted."""

    def lint(self, *, allow: Sequence[str] = ...) -> dict[str, Any]:
        """The lint findings as ``gatewise lint -o json`` prints them
        (``findings``, ``rejected``, ``errors``), without the codes or names in
        ``allow``; an unknown code raises ValueError."""

def diff(old: Compiled, new: Compiled) -> dict[str, Any]:
    """What changes from ``old`` to ``new``, as ``gatewise diff -o json`` prints
    it; ValueError when they handle different controller names."""

def parse_yaml(text: str) -> Any:
    """One YAML or JSON document, read with the loader's options; a syntax
    error raises ``ValueError(message, line)``."""
