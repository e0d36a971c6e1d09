"""The exception hierarchy of loading.

Only loading raises; routing never does for "no match" (a request that no route
takes is a :class:`~gatewise.Decision` of kind ``respond`` or ``reject``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gatewise._model import Rejection


class GatewiseError(Exception):
    """Base class of every error Gatewise raises."""


class LoadError(GatewiseError):
    """Manifests that could not be loaded as given.

    Every load error names where it comes from (``source``, ``document``,
    ``line``) and, when the problem is one object, the object (``kind``,
    ``namespace``, ``name``) and the ``field`` path in the API server's notation
    (``spec.rules[0].matches[0].path.value``). ``problems`` holds every problem
    found in the same load, this one first, so one ``except`` sees them all.
    """

    message: str
    """What is wrong, lower case."""
    source: str | None
    """The name of the text: a file path, or the ``source`` given when loading."""
    document: int | None
    """Index of the YAML document within the source, from 0."""
    line: int | None
    """Line within the source, from 1."""
    kind: str | None
    """Kind of the object concerned, e.g. ``HTTPRoute``."""
    namespace: str | None
    """Namespace of the object concerned (empty for cluster-scoped kinds)."""
    name: str | None
    """Name of the object concerned."""
    field: str | None
    """Field path of the problem, e.g. ``spec.rules[0].filters[1].type``."""
    problems: list[LoadError]
    """Every problem of the same load, this one first."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        document: int | None = None,
        line: int | None = None,
        kind: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.document = document
        self.line = line
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.field = field
        self.problems = [self]

    def __str__(self) -> str:
        where = ""
        if self.source is not None:
            where = f"{self.source}:{self.line}" if self.line else self.source
        what = ""
        if self.kind:
            obj = f"{self.namespace}/{self.name}" if self.namespace else (self.name or "")
            what = f"{self.kind} {obj}"
            if self.field:
                what += f", {self.field}"
        head = ": ".join(p for p in (where, what) if p)
        text = f"{head}: {self.message}" if head else self.message
        more = len(self.problems) - 1
        if more > 0:
            text += f" (and {more} more problem{'s' if more > 1 else ''})"
        return text


class DocumentError(LoadError):
    """A document that cannot be read at all: YAML or JSON syntax, not a
    mapping, no ``kind`` or ``apiVersion``. Nothing in it could be checked, so
    this is always raised."""


class RejectedObjectError(LoadError):
    """An object the API server would refuse (its CRD's schema or CEL rules).

    Raised only when loading with ``strict=True``; otherwise rejected objects
    are returned in :attr:`gatewise.Router.rejected` and take no part in
    routing.
    """

    rejection: Rejection
    """The rejection, with every rule the object breaks."""

    def __init__(self, rejection: Rejection) -> None:
        first = rejection.errors[0] if rejection.errors else None
        super().__init__(
            first.message if first else "rejected",
            source=rejection.location.source,
            document=rejection.location.document,
            line=rejection.location.line,
            kind=rejection.kind,
            namespace=rejection.namespace,
            name=rejection.name,
            field=first.field if first else None,
        )
        self.rejection = rejection


def _chain(errors: Sequence[LoadError]) -> LoadError:
    """The first error, carrying all of them in ``problems``."""
    first = errors[0]
    first.problems = list(errors)
    return first


def _document_error(raw: dict[str, object]) -> DocumentError:
    loc = raw.get("location")
    loc = loc if isinstance(loc, dict) else {}
    return DocumentError(
        str(raw.get("message", "")),
        source=loc.get("source"),
        document=loc.get("document"),
        line=loc.get("line"),
    )
