"""The cost of one ``route`` call from Python, next to the same call in Rust.

Not a test: it reports figures. Both sides route the same request
(``GET shop.example.com/api/v2/cart`` at ``infra/gateway:80``) over the same
manifests (the repository's ``examples/``); the Rust side is
``examples/route_bench.rs`` (``Router::route`` + ``view()``), run in release.

Install the package in release mode first (pip's default), then::

    python -m venv target/py-bench && target/py-bench/bin/pip install ./bindings-python
    target/py-bench/bin/python bindings-python/bench/route_bench.py

``--no-rust`` skips the Rust side (which runs ``cargo run --release``).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import timeit
from typing import Any, Callable

import gatewise

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REQUEST: dict[str, Any] = {"gateway": "infra/gateway", "host": "shop.example.com", "path": "/api/v2/cart"}
ROUNDS = 7


def measure(what: str, call: Callable[[], object], number: int) -> tuple[float, float]:
    """Prints and returns the best and the median nanoseconds per call over
    ROUNDS rounds."""
    per_call = sorted(t * 1e9 / number for t in timeit.repeat(call, repeat=ROUNDS, number=number))
    median = statistics.median(per_call)
    print(f"{what}: best {per_call[0]:.0f} ns, median {median:.0f} ns per call ({ROUNDS} rounds of {number})")
    return per_call[0], median


def rust() -> tuple[float, float]:
    """Runs the Rust side: best and median for Router::route + view()."""
    cmd = ["cargo", "run", "--quiet", "--release", "--locked", "-p", "gatewise-python", "--example", "route_bench"]
    print(f"$ {' '.join(cmd)}")
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    print(out.rstrip())
    match = re.search(r"Router::route \+ view\(\): best (\d+) ns, median (\d+) ns", out)
    if match is None:
        raise SystemExit(f"unexpected output from the Rust bench:\n{out}")
    return float(match.group(1)), float(match.group(2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-rust", action="store_true", help="skip the Rust side")
    parser.add_argument("--number", type=int, default=20_000, help="calls per round")
    args = parser.parse_args()

    router = gatewise.load(os.path.join(ROOT, "examples"))
    decision = router.route(**REQUEST)
    assert decision.kind == "forward", decision
    print(f"gatewise from {os.path.dirname(gatewise.__file__ or '')}; load average {os.getloadavg()}")
    print(f"python {sys.version.split()[0]}; request: {REQUEST} -> {decision}")

    native = router._compiled  # the private native object: route() as a dict, no dataclasses
    python = measure("Router.route (Decision dataclasses)", lambda: router.route(**REQUEST), args.number)
    measure("native route (the view as a dict)", lambda: native.route(**REQUEST), args.number)
    if not args.no_rust:
        rust_ns = rust()
        print(
            f"ratio: one Python route() costs {python[0] / rust_ns[0]:.1f}x (best) / {python[1] / rust_ns[1]:.1f}x "
            "(median) the Rust Router::route + view()"
        )


if __name__ == "__main__":
    main()
