#!/usr/bin/env bash
# A/B of two `gatewise` binaries on the proxy comparison's rules: each serves in
# turn (alternately, ROUNDS times) the same configuration in front of the same
# backend under the same wrk load; prints the proxy's CPU time per request
# (utime + stime from /proc/PID/stat, and stime alone), or with CALLGRIND=1 the
# instructions per request (callgrind on the whole process, counters zeroed
# after a warm-up, so startup and compile are not counted).
#
# Usage: benches/proxy/ab.sh A_BIN B_BIN
# Environment: HOSTS (1; 1000 for the 10,000-route variant), ROUTES_PER_HOST
#   (10), ROUNDS (3), DURATION (s, 4; callgrind: 6), CONNS (64; callgrind: 16),
#   PROXY_CPU (0), LOAD_CPU (1), CALLGRIND (0).
# Needs nginx (the backend), wrk, and valgrind for CALLGRIND=1; the example
# `proxy_config` built in release (benches/proxy/run.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
A=$1
B=$2
HOSTS=${HOSTS:-1}
ROUTES_PER_HOST=${ROUTES_PER_HOST:-10}
ROUNDS=${ROUNDS:-3}
CALLGRIND=${CALLGRIND:-0}
if [ "$CALLGRIND" = 1 ]; then
  DURATION=${DURATION:-6}
  CONNS=${CONNS:-16}
else
  DURATION=${DURATION:-4}
  CONNS=${CONNS:-64}
fi
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BACKEND_PORT=18000
PORT=18081
CLK_TCK=$(getconf CLK_TCK)
export PATH=$PATH:/usr/sbin
dir=$ROOT/target/proxy-bench/ab-$HOSTS
rm -rf "$dir" && mkdir -p "$dir"
[ -x "$ROOT/target/release/examples/proxy_config" ] ||
  cargo build --release --locked -q -p gatewise-benches --example proxy_config
"$ROOT/target/release/examples/proxy_config" "$dir" "$HOSTS" "$ROUTES_PER_HOST" \
  "$PORT" "$PORT" 18082 "$BACKEND_PORT"

log() { printf '== %s\n' "$*" >&2; }
# shellcheck source=benches/proxy/common.sh
source "$ROOT/benches/proxy/common.sh"
start_backend "$dir"

load() {
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$1"s -s "$dir/requests.lua" \
    "http://127.0.0.1:$PORT/" 2>&1
}

requests_of() { awk '/requests in/ {print $1}' <<<"$1"; }

one() {
  local label=$1 bin=$2 pid out n
  if [ "$CALLGRIND" = 1 ]; then
    RUST_LOG=warn taskset -c "$PROXY_CPU" valgrind --tool=callgrind \
      --callgrind-out-file="$dir/callgrind.$label.%p" \
      "$bin" serve "$dir/gatewise.yaml" --admin off --no-watch --workers 1 \
      >"$dir/$label.log" 2>&1 &
  else
    RUST_LOG=warn taskset -c "$PROXY_CPU" \
      "$bin" serve "$dir/gatewise.yaml" --admin off --no-watch --workers 1 \
      >"$dir/$label.log" 2>&1 &
  fi
  pid=$!
  STARTED+=("$pid")
  # Up to 5 minutes: under valgrind, compiling 10,000 routes takes a while.
  wait_port "$PORT" 3000
  load 1 >/dev/null
  if [ "$CALLGRIND" = 1 ]; then
    callgrind_control -z "$pid" >/dev/null 2>&1
    out=$(load "$DURATION")
    n=$(requests_of "$out")
    callgrind_control -d "$pid" >/dev/null 2>&1
    local file ir
    file=$(ls -t "$dir"/callgrind."$label"."$pid".* | head -1)
    ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$file")
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || true
    printf '%s\t%s\trequests %s\tinstructions/request %d\n' "$label" "$bin" "$n" $((ir / n))
  else
    read -r t0 s0 < <(cpu_ticks "$pid")
    out=$(load "$DURATION")
    read -r t1 s1 < <(cpu_ticks "$pid")
    n=$(requests_of "$out")
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || true
    awk -v l="$label" -v b="$bin" -v n="$n" -v t=$((t1 - t0)) -v s=$((s1 - s0)) -v hz="$CLK_TCK" \
      'BEGIN { printf "%s\t%s\trequests/s %d\tCPU/request %.2f us\tkernel %.2f us\n", l, b, n / '"$DURATION"', t / hz / n * 1e6, s / hz / n * 1e6 }'
  fi
  sleep 0.5
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); hosts $HOSTS"
for r in $(seq "$ROUNDS"); do
  one "A$r" "$A"
  one "B$r" "$B"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
