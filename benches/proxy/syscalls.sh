#!/usr/bin/env bash
# System calls (and context switches) per proxied request, per kind, for
# `gatewise serve`, nginx and haproxy on the proxy comparison's rules: each
# proxy in turn, pinned to PROXY_CPU, under the same bounded wrk (HTTP/1.1) or
# h2load (h2c) load from LOAD_CPU; `perf stat` counts the
# `syscalls:sys_enter_*` tracepoints of every thread of the proxy's serving
# processes (nginx: its worker) during the run; each count is divided by the
# requests served. Counting by tracepoint does not slow the proxy the way
# `strace` does, so the batching (requests per `epoll_wait`) is the real one.
#
# Usage: benches/proxy/syscalls.sh [GATEWISE_BIN]   (default target/release/gatewise)
# Environment: PROXIES ("gatewise nginx haproxy"), PROTO (h1 or h2, h1), HOSTS
#   (1), ROUTES_PER_HOST (10), DURATION (s, 4), CONNS (64), H2_STREAMS (10),
#   PROXY_CPU (0), LOAD_CPU (1), GATEWISE_SERVE_ARGS (extra arguments).
# Prints a markdown table: one row per system call (and context switches and
# page faults, which are not system calls but cost kernel time),
# one column per proxy, calls per request. Needs perf, nginx, haproxy, wrk,
# h2load (benches/proxy/run.sh installs the last four) and the example
# `proxy_config` built in release.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
GATEWISE_BIN=${1:-$ROOT/target/release/gatewise}
PROXIES=${PROXIES:-"gatewise nginx haproxy"}
PROTO=${PROTO:-h1}
HOSTS=${HOSTS:-1}
ROUTES_PER_HOST=${ROUTES_PER_HOST:-10}
DURATION=${DURATION:-4}
CONNS=${CONNS:-64}
H2_STREAMS=${H2_STREAMS:-10}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
GATEWISE_SERVE_ARGS=${GATEWISE_SERVE_ARGS:-}
GATEWISE_WORKERS=1
BACKEND_PORT=18000
H1_PORT=18081
H2_PORT=18082
export PATH=$PATH:/usr/sbin
command -v perf >/dev/null || { echo "needs perf (linux-perf)" >&2; exit 1; }

log() { printf '== %s\n' "$*" >&2; }
# shellcheck source=benches/proxy/common.sh
source "$ROOT/benches/proxy/common.sh"

dir=$ROOT/target/proxy-bench/syscalls-$HOSTS
rm -rf "$dir" && mkdir -p "$dir"
[ -x "$ROOT/target/release/examples/proxy_config" ] ||
  cargo build --release --locked -q -p gatewise-benches --example proxy_config
"$ROOT/target/release/examples/proxy_config" "$dir" "$HOSTS" "$ROUTES_PER_HOST" \
  "$H1_PORT" "$H1_PORT" "$H2_PORT" "$BACKEND_PORT"
start_backend "$dir"

# Runs the load for $2 seconds against h2c port $1; prints the requests served.
load() {
  local h2=$1 secs=$2 out
  if [ "$PROTO" = h1 ]; then
    out=$(timeout $((secs + 30)) taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${secs}s" \
      -s "$dir/requests.lua" "http://127.0.0.1:$H1_PORT/" 2>&1)
    awk '/ requests in / {print $1}' <<<"$out"
  else
    sed "s|^|http://127.0.0.1:$h2|" "$dir/h2load-paths" >"$dir/h2load-uris"
    out=$(timeout $((secs + 30)) taskset -c "$LOAD_CPU" h2load -t1 -c"$CONNS" -m"$H2_STREAMS" \
      -D "$secs" -H ":authority: $(cat "$dir/h2load-host")" -i "$dir/h2load-uris" 2>&1)
    awk '/^requests:/ {print $6}' <<<"$out"
  fi
}

declare -A COUNT=()
NAMES=()
for name in $PROXIES; do
  h2=$H2_PORT
  [ "$name" = gatewise ] && h2=$H1_PORT
  start_proxy "$name" "$dir" || { log "$name did not start; skipped"; continue; }
  load "$h2" 1 >/dev/null
  # The serving processes: nginx's worker (its master only waits), else all.
  mapfile -t pids < <(tree "$PROXY_PID")
  [ "$name" = nginx ] && mapfile -t pids < <(pgrep -P "$PROXY_PID")
  perf stat -x, -o "$dir/perf-$name.csv" -e 'syscalls:sys_enter_*' -e context-switches -e page-faults \
    -p "$(IFS=,; echo "${pids[*]}")" &
  perf_pid=$!
  sleep 0.3
  n=$(load "$h2" "$DURATION")
  kill -INT "$perf_pid"
  wait "$perf_pid" 2>/dev/null || true
  stop "$PROXY_PID"
  PROXY_PID=""
  log "$name: $n requests"
  NAMES+=("$name")
  while IFS=, read -r value _ event _; do
    [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -gt 0 ] || continue
    event=${event#syscalls:sys_enter_}
    COUNT[$name,$event]=$(awk -v v="$value" -v n="$n" 'BEGIN { printf "%.3f", v / n }')
    COUNT[_,$event]=1
  done <"$dir/perf-$name.csv"
  sleep 0.5
done
stop "$BACKEND_PID"

{
  printf '| system call (per request) |'
  for name in "${NAMES[@]}"; do printf ' %s |' "$name"; done
  printf '\n|---|'
  for _ in "${NAMES[@]}"; do printf -- '---:|'; done
  printf '\n'
  for key in "${!COUNT[@]}"; do
    if [[ $key == _,* ]]; then echo "${key#_,}"; fi
  done | sort | while read -r event; do
    printf '| %s |' "${event//-/ }"
    for name in "${NAMES[@]}"; do printf ' %s |' "${COUNT[$name,$event]:-0}"; done
    printf '\n'
  done
  printf '| **all system calls** |'
  for name in "${NAMES[@]}"; do
    sum=0
    for key in "${!COUNT[@]}"; do
      if [[ $key == "$name",* && $key != *context-switches && $key != *page-faults ]]; then
        sum=$(awk -v a="$sum" -v b="${COUNT[$key]}" 'BEGIN { print a + b }')
      fi
    done
    printf ' %.3f |' "$sum"
  done
  printf '\n'
} | tee "$dir/table.md"
echo "(PROTO=$PROTO HOSTS=$HOSTS, ${DURATION}s, $CONNS connections; load average $(cut -d' ' -f1-3 /proc/loadavg); $dir/table.md)" >&2
