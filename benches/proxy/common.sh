# Shared by run.sh and ab.sh (sourced): process bookkeeping, the backend (an
# nginx answering 200 "ok" on BACKEND_PORT, pinned to LOAD_CPU), CPU ticks.
# Expects BACKEND_PORT, LOAD_CPU and a `log` function; start_proxy also
# PROXY_CPU, H1_PORT, GATEWISE_BIN, GATEWISE_WORKERS, GATEWISE_SERVE_ARGS.

STARTED=()
cleanup() {
  for pid in "${STARTED[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.3
  for pid in "${STARTED[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Waits for a port to accept connections: up to $2 tenths of a second (100).
wait_port() {
  local port=$1 tries=${2:-100} i
  for i in $(seq "$tries"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

stop() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

# The process and every descendant.
tree() {
  local pid=$1 child
  echo "$pid"
  for child in $(pgrep -P "$pid" 2>/dev/null || true); do tree "$child"; done
}

# utime + stime, and stime alone, in clock ticks, summed over the given processes.
cpu_ticks() {
  local total=0 sys=0 pid stat fields
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    read -ra fields <<<"${stat##*) }"
    total=$((total + fields[11] + fields[12]))
    sys=$((sys + fields[12]))
  done
  echo "$total $sys"
}

start_backend() {
  local dir=$1
  mkdir -p "$dir/backend"
  cat >"$dir/backend.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/backend.pid;
error_log $dir/backend-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  client_body_temp_path $dir/backend;
  proxy_temp_path $dir/backend;
  fastcgi_temp_path $dir/backend;
  uwsgi_temp_path $dir/backend;
  scgi_temp_path $dir/backend;
  server {
    listen 127.0.0.1:$BACKEND_PORT default_server;
    location / { default_type text/plain; return 200 "ok\n"; }
  }
}
EOF
  taskset -c "$LOAD_CPU" nginx -e "$dir/backend-error.log" -c "$dir/backend.conf" -p "$dir" &
  BACKEND_PID=$!
  STARTED+=("$BACKEND_PID")
  wait_port "$BACKEND_PORT" || { log "backend did not start"; cat "$dir/backend-error.log" >&2; exit 1; }
}

# Starts a proxy pinned to PROXY_CPU; sets PROXY_PID. Returns 1 when it fails.
start_proxy() {
  local name=$1 dir=$2
  case $name in
    nginx)
      mkdir -p "$dir/nginx-body" "$dir/nginx-proxy" "$dir/nginx-fastcgi" "$dir/nginx-uwsgi" "$dir/nginx-scgi"
      nginx -t -q -e "$dir/nginx-error.log" -c "$dir/nginx.conf" -p "$dir" || return 1
      taskset -c "$PROXY_CPU" nginx -e "$dir/nginx-error.log" -c "$dir/nginx.conf" -p "$dir" &
      ;;
    haproxy)
      haproxy -c -q -f "$dir/haproxy.cfg" || return 1
      taskset -c "$PROXY_CPU" haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
      ;;
    gatewise)
      [ -n "$GATEWISE_BIN" ] || return 1
      # One worker thread (`--workers 1`: tokio's current-thread runtime), as
      # nginx and haproxy get one worker; no access log (as nginx's
      # `access_log off`), no admin listener, no file watcher.
      # shellcheck disable=SC2086
      RUST_LOG=${RUST_LOG:-warn} taskset -c "$PROXY_CPU" \
        "$GATEWISE_BIN" serve "$dir/gatewise.yaml" --admin off --no-watch \
        --workers "$GATEWISE_WORKERS" $GATEWISE_SERVE_ARGS \
        >"$dir/gatewise.log" 2>&1 &
      ;;
  esac
  PROXY_PID=$!
  STARTED+=("$PROXY_PID")
  wait_port "$H1_PORT" || return 1
}
