"""The spec fixture format (shared/spec/fixture-format.md, v1) run through the
public Python API.

This is the Python twin of the Rust runner (spec-fixtures/src/run.rs and
compare.rs): discovery, the file schema (unknown keys make a file malformed),
the defaults and every comparison are written here, in Python, against the
format's text; only the engine's answers come from ``gatewise``. The CLI parity
test (test_cli_parity.py) checks that both runners reach the same outcome for
every case.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import gatewise

GATEWAY_GROUP = "gateway.networking.k8s.io"
"""The group of parentRefs and supportedKinds when a fixture gives none."""

STATUS_NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
"""``lastTransitionTime`` of fixture status (never compared)."""


class Malformed(Exception):
    """A fixture file that is not valid in the format."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class FixtureFile:
    """One fixture file, parsed and checked against the format."""

    path: str
    """As discovered: the given path, joined with the folder walk."""
    data: dict[str, Any]


@dataclass
class MalformedFile:
    path: str
    line: int | None
    message: str


@dataclass
class Case:
    """One case: a ``requests``, ``status`` or ``rejected`` entry."""

    fixture: FixtureFile
    name: str
    kind: str
    """``request``, ``status`` or ``rejected``."""
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.fixture.data['name']}: {self.name}"


@dataclass
class Outcome:
    passed: bool
    message: str = ""
    explanation: str | None = field(default=None, repr=False)


# ---------------------------------------------------------------------------
# Discovery (run.rs: run_paths, discover, parse_file)


def fixture_paths() -> list[str]:
    """``GATEWISE_FIXTURES`` (paths separated by ``:``), else the repository's
    ``spec-fixtures/fixtures``."""
    env = os.environ.get("GATEWISE_FIXTURES")
    if env:
        return [p for p in env.split(":") if p]
    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.join(here, "..", "..", "spec-fixtures", "fixtures")]


def _path_key(path: str) -> tuple[str, ...]:
    # Component-wise, as Rust sorts `PathBuf`s.
    return tuple(p for p in path.split(os.sep) if p not in ("", "."))


def _walk(folder: str, out: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            path = os.path.join(folder, entry.name)
            if entry.is_dir():
                _walk(path, out)
            elif entry.name.endswith((".yaml", ".yml")):
                out.append(path)


def discover(paths: Iterable[str]) -> tuple[list[FixtureFile], list[MalformedFile]]:
    """Every fixture under ``paths`` (files, or folders scanned recursively for
    ``*.yaml`` and ``*.yml``), in the order the Rust runner runs them, and the
    files that are malformed."""
    fixtures: list[FixtureFile] = []
    malformed: list[MalformedFile] = []
    names: dict[str, str] = {}
    for path in paths:
        if os.path.isfile(path):
            files, explicit = [path], True
        elif os.path.isdir(path):
            files = []
            _walk(path, files)
            files.sort(key=_path_key)
            explicit = False
        else:
            malformed.append(MalformedFile(path, None, f"cannot read {path}: no such file or directory"))
            continue
        for file in files:
            try:
                data = parse_file(file, explicit)
            except Malformed as e:
                malformed.append(MalformedFile(file, e.line, e.message))
                continue
            if data is None:
                continue
            first = names.get(data["name"])
            if first is not None:
                if _path_key(first) != _path_key(file):
                    malformed.append(
                        MalformedFile(file, None, f"fixture name {data['name']!r} is also used by {first}")
                    )
                continue
            names[data["name"]] = file
            fixtures.append(FixtureFile(file, data))
    return fixtures, malformed


def parse_file(file: str, explicit: bool) -> dict[str, Any] | None:
    """The fixture in ``file``; None for a manifest found by a folder scan (a
    file not shaped like a fixture); Malformed for anything else."""
    try:
        with open(file, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise Malformed(f"cannot read {file}: {e}") from None
    parsed: Any = None
    error: gatewise.DocumentError | None = None
    try:
        parsed = gatewise.parse_yaml(text, source=file)
        looks = (
            isinstance(parsed, dict)
            and "name" in parsed
            and any(k in parsed for k in ("requests", "status", "rejected"))
        )
    except gatewise.DocumentError as e:
        # A multi-document manifest, or a fixture with a syntax error: judge by
        # its top-level keys.
        error = e
        looks = _top_level_keys_look_like_fixture(text)
    if not looks:
        if explicit:
            raise Malformed(
                "not a fixture: the top level must be a mapping with `name` and at least one of "
                "`requests`, `status`, `rejected`",
                1,
            )
        return None
    if error is not None:
        raise Malformed(error.message, error.line)
    return check_fixture(parsed)


def _top_level_keys_look_like_fixture(text: str) -> bool:
    lines = text.splitlines()
    if any(line.rstrip() == "---" for line in lines):
        return False

    def key(line: str, k: str) -> bool:
        return line.startswith(k + ":")

    return any(key(line, "name") for line in lines) and any(
        key(line, k) for line in lines for k in ("requests", "status", "rejected")
    )


# ---------------------------------------------------------------------------
# The file schema (spec-fixtures/src/format.rs): every mapping denies unknown
# keys, so a typo makes the file malformed instead of silently checking less.

Check = Callable[[Any, str], Any]


def _fail(path: str, what: str, value: Any) -> Malformed:
    return Malformed(f"{path}: expected {what}, found {value!r}")


def _f64_text(v: float) -> str:
    # As Rust prints an f64: integral values without a fraction.
    return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)


def _string(v: Any, path: str) -> str:
    # A YAML plain scalar reads as a string too (`name: 123`).
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _f64_text(v)
    if isinstance(v, str):
        return v
    raise _fail(path, "a string", v)


def scalar(v: Any, path: str = "value") -> str:
    """A string that YAML may have written as a number or boolean (format.rs
    `Scalar`): ``status: True`` unquoted is a boolean, conditions spell it
    ``True``."""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _f64_text(v)
    if isinstance(v, str):
        return v
    raise _fail(path, "a scalar", v)


def _unsigned(bits: int) -> Check:
    top = (1 << bits) - 1

    def check(v: Any, path: str) -> int:
        if isinstance(v, str) and re.fullmatch(r"\+?[0-9]+", v):
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= top:
            raise _fail(path, f"an integer from 0 to {top}", v)
        return v

    return check


def _float(v: Any, path: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise _fail(path, "a number", v)
    return float(v)


def _any(v: Any, path: str) -> Any:
    return v


def _protocol(v: Any, path: str) -> str:
    # Serde's derive: the exact upper-case names.
    names = ("HTTP", "HTTPS", "GRPC", "TLS", "TCP", "UDP")
    if v not in names:
        raise Malformed(f"{path}: unknown variant {v!r}, expected one of {', '.join(names)}")
    return str(v)


def _status_expect(v: Any, path: str) -> int | str:
    s = scalar(v, path)
    if s == "reject":
        return s
    try:
        code = int(s)
    except ValueError:
        raise Malformed(f"{path}: expect.status must be an HTTP status or `reject`, found {s!r}") from None
    checked: int = _unsigned(16)(code, path)
    return checked


def _list(item: Check) -> Check:
    def check(v: Any, path: str) -> list[Any]:
        if not isinstance(v, list):
            raise _fail(path, "a sequence", v)
        return [item(x, f"{path}[{i}]") for i, x in enumerate(v)]

    return check


def _map(value: Check) -> Check:
    def check(v: Any, path: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise _fail(path, "a mapping", v)
        return {str(k): value(x, f"{path}.{k}") for k, x in v.items()}

    return check


OPTIONAL, REQUIRED, LIST = "optional", "required", "list"
"""``Option<T>`` (null is absent), a required field, a ``Vec``/map with a
default (null is an error, as serde reads it)."""


def _struct(fields: dict[str, tuple[Check, str]]) -> Check:
    def check(v: Any, path: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise _fail(path, "a mapping", v)
        out: dict[str, Any] = {}
        for k, x in v.items():
            if k not in fields:
                raise Malformed(f"{path}: unknown field `{k}`, expected one of {', '.join(fields)}")
            checker, how = fields[k]
            if x is None and how == OPTIONAL:
                continue
            out[k] = checker(x, f"{path}.{k}" if path else k)
        for k, (_, how) in fields.items():
            if how == REQUIRED and k not in out:
                raise Malformed(f"{path or 'fixture'}: missing field `{k}`")
        return out

    return check


def _kind_expect(v: Any, path: str) -> tuple[str, str]:
    if isinstance(v, dict):
        s = _struct({"group": (_string, OPTIONAL), "kind": (_string, REQUIRED)})(v, path)
        return (s.get("group", GATEWAY_GROUP), s["kind"])
    return (GATEWAY_GROUP, _string(v, path))


_CONDITION = _struct({"type": (_string, REQUIRED), "status": (scalar, REQUIRED), "reason": (_string, OPTIONAL)})
_BACKEND = _struct({"namespace": (_string, OPTIONAL), "name": (_string, REQUIRED), "port": (_unsigned(16), REQUIRED)})
_WEIGHTED = _struct(
    {
        "namespace": (_string, OPTIONAL),
        "name": (_string, OPTIONAL),
        "port": (_unsigned(16), OPTIONAL),
        "weight": (_unsigned(32), OPTIONAL),
        "status": (_unsigned(16), OPTIONAL),
    }
)
_HEADERS_EXPECT = {"headers": (_map(scalar), LIST), "absentHeaders": (_list(_string), LIST)}
_EXPECT = _struct(
    {
        "backend": (_BACKEND, OPTIONAL),
        "backends": (_list(_WEIGHTED), OPTIONAL),
        "status": (_status_expect, OPTIONAL),
        "redirect": (_struct({"status": (_unsigned(16), REQUIRED), "location": (_string, REQUIRED)}), OPTIONAL),
        "request": (
            _struct({"host": (_string, OPTIONAL), "path": (_string, OPTIONAL), **_HEADERS_EXPECT}),
            OPTIONAL,
        ),
        "response": (_struct(dict(_HEADERS_EXPECT)), OPTIONAL),
        "mirrors": (
            _list(
                _struct(
                    {
                        "namespace": (_string, OPTIONAL),
                        "name": (_string, REQUIRED),
                        "port": (_unsigned(16), REQUIRED),
                        "percent": (_float, OPTIONAL),
                    }
                )
            ),
            OPTIONAL,
        ),
        "listener": (_string, OPTIONAL),
        "route": (_string, OPTIONAL),
    }
)
_REQUEST = _struct(
    {
        "name": (_string, REQUIRED),
        "gateway": (_string, REQUIRED),
        "port": (_unsigned(16), OPTIONAL),
        "protocol": (_protocol, LIST),
        "method": (_string, OPTIONAL),
        "host": (_string, OPTIONAL),
        "sni": (_string, OPTIONAL),
        "path": (_string, OPTIONAL),
        "grpc": (_struct({"service": (_string, REQUIRED), "method": (_string, REQUIRED)}), OPTIONAL),
        "headers": (_list(_struct({"name": (_string, REQUIRED), "value": (scalar, REQUIRED)})), LIST),
        "backendResponse": (_struct({"headers": (_map(scalar), LIST)}), OPTIONAL),
        "expect": (_EXPECT, REQUIRED),
    }
)
_LISTENER = _struct(
    {
        "name": (_string, REQUIRED),
        "attachedRoutes": (_unsigned(32), OPTIONAL),
        "supportedKinds": (_list(_kind_expect), OPTIONAL),
        "conditions": (_list(_CONDITION), LIST),
    }
)
_PARENT_REF = _struct(
    {
        "group": (_string, OPTIONAL),
        "kind": (_string, OPTIONAL),
        "namespace": (_string, OPTIONAL),
        "name": (_string, REQUIRED),
        "sectionName": (_string, OPTIONAL),
        "port": (_unsigned(16), OPTIONAL),
    }
)
_STATUS = _struct(
    {
        "kind": (_string, REQUIRED),
        "namespace": (_string, OPTIONAL),
        "name": (_string, REQUIRED),
        "conditions": (_list(_CONDITION), LIST),
        "listeners": (_list(_LISTENER), LIST),
        "parents": (
            _list(_struct({"parentRef": (_PARENT_REF, REQUIRED), "conditions": (_list(_CONDITION), LIST)})),
            LIST,
        ),
        "attachedListenerSets": (_unsigned(32), OPTIONAL),
    }
)
_REJECTED = _struct(
    {
        "kind": (_string, REQUIRED),
        "namespace": (_string, OPTIONAL),
        "name": (_string, REQUIRED),
        "field": (_string, OPTIONAL),
    }
)
_FIXTURE = _struct(
    {
        "name": (_string, REQUIRED),
        "description": (_string, OPTIONAL),
        "features": (_list(_string), LIST),
        "source": (_string, OPTIONAL),
        "include": (_list(_string), LIST),
        "resources": (_list(_any), LIST),
        "controllerName": (_string, OPTIONAL),
        "requests": (_list(_REQUEST), LIST),
        "status": (_list(_STATUS), LIST),
        "rejected": (_list(_REJECTED), LIST),
    }
)


def check_fixture(data: Any) -> dict[str, Any]:
    """The fixture with its values checked (and scalars as strings)."""
    checked: dict[str, Any] = _FIXTURE(data, "")
    return checked


# ---------------------------------------------------------------------------
# Cases (run.rs: case_names)


def cases(fixture: FixtureFile) -> list[Case]:
    """Every case of a fixture, in order: requests, status, rejected."""

    def obj(c: dict[str, Any]) -> str:
        ns = c.get("namespace")
        return f"{c['kind']} {ns}/{c['name']}" if ns is not None else f"{c['kind']} {c['name']}"

    data = fixture.data
    out = [Case(fixture, r["name"], "request", r) for r in data.get("requests", [])]
    out += [Case(fixture, f"status of {obj(s)}", "status", s) for s in data.get("status", [])]
    out += [Case(fixture, f"rejects {obj(r)}", "rejected", r) for r in data.get("rejected", [])]
    return out


# ---------------------------------------------------------------------------
# Loading (run.rs: load)


_routers: dict[str, tuple[gatewise.Router | None, str]] = {}


def load(fixture: FixtureFile) -> tuple[gatewise.Router | None, str]:
    """The fixture's resources, loaded once per file: includes (relative to the
    file) first, then the inline resources, through one Loader; or None and
    why they failed to load."""
    if fixture.path not in _routers:
        _routers[fixture.path] = _load(fixture)
    return _routers[fixture.path]


def _load(fixture: FixtureFile) -> tuple[gatewise.Router | None, str]:
    path, data = fixture.path, fixture.data
    loader = gatewise.Loader(controller_name=data.get("controllerName", gatewise.DEFAULT_CONTROLLER_NAME))
    folder = os.path.dirname(path)
    for include in data.get("include", []):
        file = os.path.join(folder, include)
        try:
            with open(file, encoding="utf-8") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            return None, f"resources failed to load: include {file}: {e}"
        loader.add_text(text, source=file)
    for obj in data.get("resources", []):
        try:
            loader.add_object(obj, source=path)
        except (TypeError, ValueError) as e:
            return None, f"resources failed to load: {e}"
    try:
        return loader.finish(), ""
    except gatewise.LoadError as e:
        return None, f"resources failed to load: {e}"


def run(case: Case) -> Outcome:
    """Runs one case through the public API and compares the answer."""
    router, error = load(case.fixture)
    if router is None:
        return Outcome(False, error)
    if case.kind == "request":
        return _request(router, case.data)
    if case.kind == "status":
        problems = _status(router.status(now=STATUS_NOW), case.data)
    else:
        problems = _rejected(router.rejected, case.data)
    return Outcome(not problems, "; ".join(problems))


# ---------------------------------------------------------------------------
# requests (compare.rs: request, check_view)


def request_args(case: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of ``Router.route`` for a request case; every
    default (port, method, host, SNI) is left to the API."""
    args: dict[str, Any] = {"gateway": case["gateway"], "protocol": case.get("protocol", "HTTP")}
    for key in ("port", "method", "host", "sni"):
        if key in case:
            args[key] = case[key]
    if "grpc" in case:
        args["grpc"] = (case["grpc"]["service"], case["grpc"]["method"])
    elif "path" in case:
        args["path"] = case["path"]
    args["headers"] = [(h["name"], h["value"]) for h in case.get("headers", [])]
    return args


def _request(router: gatewise.Router, case: dict[str, Any]) -> Outcome:
    args = request_args(case)
    backend_response = sorted(case.get("backendResponse", {}).get("headers", {}).items())
    try:
        decision = router.route(**args, backend_response_headers=backend_response)
    except (ValueError, TypeError) as e:
        return Outcome(False, str(e))
    problems = check_decision(case["expect"], decision)
    if not problems:
        return Outcome(True)
    return Outcome(False, "; ".join(problems), str(router.explain(**args)))


def _shares(backends: list[gatewise.Backend]) -> list[tuple[Any, ...]]:
    """Zero weights dropped, invalid backends summed into one share, sorted."""
    out: list[tuple[Any, ...]] = []
    invalid = 0
    for b in backends:
        if b.weight <= 0:
            continue
        if b.valid:
            out.append((0, b.namespace, b.name, b.port, b.weight))
        else:
            invalid += b.weight
    if invalid:
        out.append((1, "", "", 0, invalid))
    return sorted(out)


def _show_share(s: tuple[Any, ...]) -> str:
    if s[0] == 0:
        return f"{s[1]}/{s[2]}:{s[3]} (weight {s[4]})"
    return f"status 500 (weight {s[4]})"


def describe(d: gatewise.Decision) -> str:
    """A decision in a few words, for "got ..." messages."""
    if d.kind == "forward":
        shares = _shares(d.backends)
        text = "forward to " + (", ".join(map(_show_share, shares)) if shares else "no backend")
    elif d.kind == "redirect":
        text = f"redirect {d.status} to {d.location}"
    elif d.kind == "respond":
        text = f"status {d.status} ({d.reason})"
    elif d.kind == "reject":
        text = f"reject ({d.reason})"
    else:
        text = d.kind
    if d.route is not None:
        text += f" by {d.route.namespace}/{d.route.name}"
    return text


def check_decision(expect: dict[str, Any], d: gatewise.Decision) -> list[str]:
    """Every way the decision differs from ``expect``."""
    outcomes = sum(k in expect for k in ("backend", "backends", "status", "redirect"))
    if outcomes != 1:
        return [f"expect must hold exactly one of backend, backends, status, redirect (found {outcomes})"]
    got = describe(d)
    route_ns = d.route.namespace if d.route is not None else ""
    problems: list[str] = []

    if "backend" in expect:
        b = expect["backend"]
        ns = b.get("namespace", route_ns)
        only = d.backends[0] if len(d.backends) == 1 else None
        ok = (
            d.kind == "forward"
            and only is not None
            and only.status is None
            and (only.namespace, only.name, only.port) == (ns, b["name"], b["port"])
        )
        if not ok:
            problems.append(f"expected forward to {ns}/{b['name']}:{b['port']}, got {got}")
    if "backends" in expect:
        want: list[tuple[Any, ...]] = []
        invalid = 0
        for e in expect["backends"]:
            weight = e.get("weight", 1)
            if "status" in e:
                invalid += weight
            elif "name" in e and "port" in e:
                if weight > 0:
                    want.append((0, e.get("namespace", route_ns), e["name"], e["port"], weight))
            else:
                problems.append("a backends entry needs name and port, or status: 500")
        if invalid:
            want.append((1, "", "", 0, invalid))
        want.sort()
        if d.kind != "forward" or want != _shares(d.backends):
            problems.append(f"expected forward to [{', '.join(map(_show_share, want))}], got {got}")
    if "status" in expect:
        s = expect["status"]
        if s == "reject":
            ok = d.kind == "reject"
        else:
            # A forward whose every share is invalid answers 500.
            ok = (d.kind == "respond" and d.status == s) or (
                s == 500 and d.kind == "forward" and all(not b.valid for b in d.backends)
            )
        if not ok:
            problems.append(f"expected {'reject' if s == 'reject' else f'status {s}'}, got {got}")
    if "redirect" in expect:
        r = expect["redirect"]
        if not (d.kind == "redirect" and d.status == r["status"] and d.location == r["location"]):
            problems.append(f"expected redirect {r['status']} to {r['location']}, got {got}")
    if "request" in expect:
        r = expect["request"]
        up = d.request
        if up is None:
            problems.append(f"expected an upstream request, got {got}")
        else:
            if "host" in r and up.host != r["host"]:
                problems.append(f"request host: expected {r['host']!r}, got {up.host!r}")
            if "path" in r and up.path != r["path"]:
                problems.append(f"request path: expected {r['path']!r}, got {up.path!r}")
            _check_headers("request", up.header, r, problems)
    if "response" in expect:
        _check_headers("response", d.response_header, expect["response"], problems)
    if "mirrors" in expect:
        want_m = sorted(
            (m.get("namespace", route_ns), m["name"], m["port"], m.get("percent", 100.0)) for m in expect["mirrors"]
        )
        have_m = sorted((m.namespace, m.name, m.port, m.percent) for m in d.mirrors)
        same = len(want_m) == len(have_m) and all(
            w[:3] == h[:3] and abs(w[3] - h[3]) < 1e-9 for w, h in zip(want_m, have_m)
        )
        if not same:

            def show(ms: list[tuple[Any, ...]]) -> str:
                return ", ".join(
                    f"{m[0]}/{m[1]}:{m[2]}" + ("" if abs(m[3] - 100.0) < 1e-9 else f" ({m[3]}%)") for m in ms
                )

            problems.append(f"mirrors: expected [{show(want_m)}], got [{show(have_m)}]")
    if "listener" in expect and d.listener != expect["listener"]:
        problems.append(f"listener: expected {expect['listener']}, got {d.listener or 'none'}")
    if "route" in expect:
        have = str(d.route) if d.route is not None else None
        if have != expect["route"]:
            problems.append(f"route: expected {expect['route']}, got {have or 'none'}")
    return problems


def _check_headers(what: str, value_of: Callable[[str], str | None], want: dict[str, Any], problems: list[str]) -> None:
    for name, value in sorted(want.get("headers", {}).items()):
        have = value_of(name)
        if have is None:
            problems.append(f"{what} header {name}: expected {value!r}, got none")
        elif have != value:
            problems.append(f"{what} header {name}: expected {value!r}, got {have!r}")
    for name in want.get("absentHeaders", []):
        have = value_of(name)
        if have is not None:
            problems.append(f"{what} header {name}: expected absent, got {have!r}")


# ---------------------------------------------------------------------------
# status (compare.rs: status, check_conditions, check_listener, check_parent)


def _find(status: list[dict[str, Any]], kind: str, namespace: str, name: str) -> dict[str, Any] | None:
    for obj in status:
        meta = obj.get("metadata", {})
        if obj.get("kind") == kind and meta.get("name") == name and meta.get("namespace", "") == namespace:
            return obj
    return None


def _status(status: list[dict[str, Any]], case: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    kind, name = case["kind"], case["name"]

    def not_for(what: str) -> None:
        problems.append(f"{what} does not apply to kind {kind}")

    if kind == "GatewayClass":
        obj = _find(status, kind, "", name)
        if obj is None:
            return [f"no status for GatewayClass {name} (not handled: is its controllerName ours?)"]
        _check_conditions("", obj["status"].get("conditions", []), case.get("conditions", []), problems)
        if case.get("listeners"):
            not_for("listeners")
        if case.get("parents"):
            not_for("parents")
    elif kind in ("Gateway", "ListenerSet"):
        # A ListenerSet entry has the shape of a Gateway entry.
        ns = case.get("namespace", "default")
        obj = _find(status, kind, ns, name)
        if obj is None:
            return [f"no status for {kind} {ns}/{name} (not handled: is its GatewayClass ours?)"]
        st = obj["status"]
        _check_conditions("", st.get("conditions", []), case.get("conditions", []), problems)
        for listener in case.get("listeners", []):
            _check_listener(st.get("listeners", []), listener, problems)
        if "attachedListenerSets" in case:
            have = st.get("attachedListenerSets")
            if have is None:
                problems.append("attachedListenerSets is not reported")
            elif have != case["attachedListenerSets"]:
                problems.append(f"attachedListenerSets: expected {case['attachedListenerSets']}, got {have}")
        if case.get("parents"):
            not_for("parents")
    else:
        # A route of any kind: HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute.
        ns = case.get("namespace", "default")
        obj = _find(status, kind, ns, name)
        if obj is None or "parents" not in obj.get("status", {}):
            return [f"no status for {kind} {ns}/{name} (no parentRef names a handled Gateway)"]
        for parent in case.get("parents", []):
            _check_parent(ns, obj["status"]["parents"], parent, problems)
        if case.get("conditions"):
            not_for("conditions")
        if case.get("listeners"):
            not_for("listeners")
    return problems


def _check_conditions(prefix: str, have: list[dict[str, Any]], want: list[dict[str, Any]], problems: list[str]) -> None:
    def show(c: dict[str, Any]) -> str:
        return f"{c['type']}={c['status']}/{c['reason']}"

    for w in want:
        c = next((c for c in have if c["type"] == w["type"]), None)
        if c is None:
            problems.append(f"{prefix}condition {w['type']} missing (got {', '.join(map(show, have))})")
            continue
        reason_ok = "reason" not in w or w["reason"] == c["reason"]
        if c["status"] != w["status"] or not reason_ok:
            reason = f"/{w['reason']}" if "reason" in w else ""
            problems.append(
                f"{prefix}condition {w['type']}: expected {w['status']}{reason}, got {c['status']}/{c['reason']}"
            )


def _check_listener(have: list[dict[str, Any]], want: dict[str, Any], problems: list[str]) -> None:
    name = want["name"]
    listener = next((l for l in have if l["name"] == name), None)
    if listener is None:
        problems.append(f"listener {name} missing from status (got {', '.join(l['name'] for l in have)})")
        return
    if "attachedRoutes" in want and want["attachedRoutes"] != listener["attachedRoutes"]:
        problems.append(
            f"listener {name} attachedRoutes: expected {want['attachedRoutes']}, got {listener['attachedRoutes']}"
        )
    if "supportedKinds" in want:
        supported = [(k["group"], k["kind"]) for k in listener.get("supportedKinds", [])]
        shown = ", ".join(k for _, k in supported)
        if not want["supportedKinds"] and supported:
            problems.append(f"listener {name} supportedKinds: expected none, got [{shown}]")
        for group, kind in want["supportedKinds"]:
            if (group, kind) not in supported:
                problems.append(f"listener {name} supportedKinds: expected {kind}, got [{shown}]")
    _check_conditions(f"listener {name} ", listener.get("conditions", []), want.get("conditions", []), problems)


def _check_parent(route_ns: str, have: list[dict[str, Any]], want: dict[str, Any], problems: list[str]) -> None:
    r = want["parentRef"]
    group = r.get("group", GATEWAY_GROUP)
    kind = r.get("kind", "Gateway")
    ns = r.get("namespace", route_ns)
    label = f"parent {kind} {ns}/{r['name']}"
    if "sectionName" in r:
        label += f" section {r['sectionName']}"
    if "port" in r:
        label += f" port {r['port']}"
    found = None
    for p in have:
        s = p["parentRef"]
        if (
            s["group"] == group
            and s["kind"] == kind
            and s["namespace"] == ns
            and s["name"] == r["name"]
            and s.get("sectionName") == r.get("sectionName")
            and s.get("port") == r.get("port")
        ):
            found = p
            break
    if found is None:
        problems.append(f"no status for {label}")
        return
    _check_conditions(f"{label}: ", found.get("conditions", []), want.get("conditions", []), problems)


# ---------------------------------------------------------------------------
# rejected (compare.rs: rejected, field_within)


def _rejected(rejections: list[gatewise.Rejection], case: dict[str, Any]) -> list[str]:
    kind, name = case["kind"], case["name"]
    if kind in ("GatewayClass", "Namespace"):
        ns = case.get("namespace", "")
    else:
        ns = case.get("namespace", "default")
    r = next((r for r in rejections if (r.kind, r.namespace, r.name) == (kind, ns, name)), None)
    if r is None:
        obj = f"{ns}/{name}" if ns else name
        return [f"expected {kind} {obj} to be rejected, but it was not"]
    want = case.get("field")
    if want is not None and not any(field_within(e.field, want) for e in r.errors):
        return [f"expected a rejection at {want}, got {'; '.join(map(str, r.errors))}"]
    return []


def field_within(reported: str, wanted: str) -> bool:
    """Whether ``reported`` equals ``wanted`` or lies beneath it at a path
    boundary (``spec.rules[0]`` covers ``spec.rules[0].filters[1].type``, not
    ``spec.rules[01]``)."""
    if not reported.startswith(wanted):
        return False
    rest = reported[len(wanted) :]
    return rest == "" or rest.startswith((".", "["))
