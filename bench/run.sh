#!/usr/bin/env bash
# Canopy side by side with what users would put there instead, in one run:
# wrk against the upstream directly (the physical limit), a relay that only
# copies bytes (the ceiling for any proxy on these cores), Canopy, nginx and
# HAProxy — all in front of the same canopy-upstream, given the same number of
# workers, with upstream keep-alive. Targets alternate within each round, each
# round starting one target further along and every other round backwards; the
# table quotes medians over the rounds and ratios against direct and nginx.
#
#   bench/run.sh [--duration S] [--rounds N] [--profiles LIST] [--targets LIST] [--workers N] [--pin] [--pgo] [--smoke]
#
#   profiles  get64, get256 (small GET, keep-alive, 64/256 connections), headers64 (the
#             same at 64 with eight typical client headers), post16k,
#             big (1 MiB responses), aggregate (latency on one connection: Canopy's
#             3-backend route against three direct calls and one proxied call),
#             aggregate1ms (the same with backends that take 1 ms to answer),
#             churn (Connection: close; 1 s runs in the last round only, spaced so
#             that TIME-WAIT sockets do not exhaust the ephemeral ports)  default: all
#   targets   direct, relay, canopy, nginx, haproxy                default: all
#             (relay: bench/relay/tcp_relay, no HTTP, one upstream connection per client;
#             not in churn, where that would be more work than a proxy's pooled connections)
#   --workers worker threads/processes each proxy gets (Canopy's server.workers, nginx's
#             worker_processes, HAProxy's nbthread)                default: 1
#   --pin     wrk and the upstream on CPU 0, the proxy on CPU 1 (steadier ratios on small machines)
#   --pgo     Canopy as `./dev build pgo` builds it: optimised with a profile of bench/pgo/train.sh's
#             load (the upstream stays the release build's)
#   --smoke   one short round of get64 (CI keeps the script from rotting)
#
# Installs what it needs (nginx-light, haproxy, wrk), builds Canopy in release mode (and, with
# --pgo, the profile-guided build too).
set -euo pipefail
cd "$(dirname "$0")/.."

duration=5 rounds=3 pin=0 workers=1 build=release
profiles=get64,get256,headers64,post16k,big,aggregate,aggregate1ms,churn
targets=direct,relay,canopy,nginx,haproxy
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --profiles) profiles=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --pin) pin=1; shift ;;
    --pgo) build=pgo; shift ;;
    --smoke) duration=1 rounds=1 profiles=get64; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

. bench/lib.sh
install_missing bench nginx-light haproxy wrk
./dev build release >/dev/null
if [ "$build" = pgo ]; then ./dev build pgo >/dev/null; fi

bin=build/release/gateway
work=$(mktemp -d /tmp/canopy-bench-XXXXXX)
pids=()
keep_work=0  # set when a run had errors: their logs stay
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  remove_work_unless_failed "$((status != 0 || keep_work))" "$work"
}
trap cleanup EXIT

on_cpu() { if [ "$pin" = 1 ]; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }
# For servers started with &: exec, so that $! is the server itself (cleanup kills it).
serve_on_cpu() { if [ "$pin" = 1 ]; then exec taskset -c "$1" "${@:2}"; else exec "${@:2}"; fi; }
free_port() {  # below the ephemeral range (32768+), and nothing answers on it
  local port
  while port=$((20000 + RANDOM % 12000)); (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do :; done
  echo "$port"
}
wait_port() {  # $1 port, $2 what listens there, $3 its log
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "bench: $2 did not start listening on $1; its log ($3):" >&2
  cat "$3" >&2
  exit 1
}

upstream_port=$(free_port)
serve_on_cpu 0 "$bin/canopy-upstream" --listen "127.0.0.1:$upstream_port=bench" >"$work/upstream.log" 2>&1 & pids+=($!)
wait_port "$upstream_port" canopy-upstream "$work/upstream.log"

canopy_port=$(free_port)
cat >"$work/canopy.toml" <<TOML
[server]
listen = "127.0.0.1:$canopy_port"
workers = $workers
[upstreams.bench]
endpoints = ["127.0.0.1:$upstream_port"]
# The upstream shares the cores and echoes every header it gets: it is sent the
# headers nginx and HAProxy send it (X-Forwarded-*), not the time left as well.
deadline_headers = []
$(aggregate_route bench /agg "")
$(aggregate_route bench /agg1ms "?delay=1")
[[routes]]
upstream = "bench"
timeout = "30s"
TOML
serve_on_cpu 1 "build/$build/gateway/canopy" --config "$work/canopy.toml" >/dev/null 2>"$work/canopy.err" & canopy_pid=$!; pids+=($canopy_pid)
wait_port "$canopy_port" canopy "$work/canopy.err"

nginx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<CONF
worker_processes $workers;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log /dev/null;  # Canopy writes its access line per request to /dev/null too
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx; uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  upstream bench { server 127.0.0.1:$upstream_port; keepalive 256; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://bench;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # What Canopy sends upstream too (a usual production setting).
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
      proxy_buffering off;  # stream like Canopy does
      proxy_request_buffering off;
    }
  }
}
CONF
if [[ ",$targets," == *",nginx,"* ]]; then
  serve_on_cpu 1 nginx -c "$work/nginx.conf" -p "$work/nginx" >"$work/nginx/stdout.log" 2>&1 & nginx_pid=$!; pids+=($nginx_pid)
  wait_port "$nginx_port" nginx "$work/nginx/error.log"
fi

haproxy_port=$(free_port)
cat >"$work/haproxy.cfg" <<CONF
global
  nbthread $workers
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option http-keep-alive
  http-reuse always
frontend bench
  bind 127.0.0.1:$haproxy_port
  # What Canopy sends upstream too (a usual production setting).
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  default_backend bench
backend bench
  server upstream 127.0.0.1:$upstream_port
CONF
if [[ ",$targets," == *",haproxy,"* ]]; then
  serve_on_cpu 1 haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 & haproxy_pid=$!; pids+=($haproxy_pid)
  wait_port "$haproxy_port" haproxy "$work/haproxy.log"
fi

relay_port="" relay_pids=()
if [[ ",$targets," == *",relay,"* ]]; then
  relay_port=$(free_port)
  for _ in $(seq "$workers"); do  # as many processes as the proxies get workers (SO_REUSEPORT)
    serve_on_cpu 1 build/release/bench/relay/tcp_relay "$relay_port" "$upstream_port" >>"$work/relay.log" 2>&1 &
    relay_pids+=($!); pids+=($!)
  done
  wait_port "$relay_port" tcp_relay "$work/relay.log"
fi

# CPU seconds (user + system) of a process and its children's threads, and RSS in KiB (processes summed).
proc_tree() { for p in $1; do echo "$p"; pgrep -P "$p" || true; done; }  # $1: one or more pids
cpu_seconds() {
  local ticks=0
  for p in $(proc_tree "$1"); do ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", t / hz}'
}
# Busy CPU seconds of the whole machine so far (user, nice, system, irq, softirq; not steal): wrk,
# the upstream and the proxy together. On loopback a system call of one process does part of its
# peer's work (a send runs the receiver's TCP input; a close, the peer's half of it), so what a proxy
# spends alone moves with who does what first; the machine's total does not.
machine_cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {printf "%.3f", ($2 + $3 + $4 + $7 + $8) / hz; exit}' /proc/stat
}
# Seconds $2 - $1 per 10k of $3 requests.
per_10k() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.2f", (b - a) / n * 10000}'; }
rss_kib() {
  local kib=0
  for p in $(proc_tree "$1"); do kib=$((kib + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status"))); done
  echo "$kib"
}

port_of() { case $1 in direct) echo "$upstream_port" ;; relay) echo "$relay_port" ;; canopy|single) echo "$canopy_port" ;; nginx) echo "$nginx_port" ;; haproxy) echo "$haproxy_port" ;; esac; }
pid_of() { case $1 in relay) echo "${relay_pids[*]}" ;; canopy|single) echo "$canopy_pid" ;; nginx) echo "$nginx_pid" ;; haproxy) echo "$haproxy_pid" ;; *) echo "" ;; esac; }

# profile → "script connections"
shape_of() {
  case $1 in
    get64) echo "get 64" ;; get256) echo "get 256" ;; headers64) echo "get_headers 64" ;;
    post16k) echo "post16k 64" ;; big) echo "big 16" ;;
    aggregate) echo "aggregate 1" ;; aggregate1ms) echo "aggregate1ms 1" ;; churn) echo "churn 64" ;;
    *) echo "bench/run.sh: unknown profile $1" >&2; exit 2 ;;
  esac
}

# Milliseconds from wrk's "1.23ms" / "456.00us" / "1.20s".
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }

round_order() {  # $1 a list, $2 the round (from 1): the list rotated left by round - 1, reversed in even rounds
  local -a list=($1)
  local n=${#list[@]} i
  for ((i = 0; i < n; i++)); do
    if (($2 % 2)); then printf '%s ' "${list[(i + $2 - 1) % n]}"; else printf '%s ' "${list[(n - 1 - i + $2 - 1) % n]}"; fi
  done
}

results="$work/results.tsv"
: >"$results"
for round in $(seq "$rounds"); do
  for profile in ${profiles//,/ }; do
    # Churn leaves a TIME-WAIT socket per connection for 60 s: only in the last round, so that
    # it cannot starve the other profiles of ephemeral ports.
    [ "$profile" = churn ] && [ "$round" != "$rounds" ] && continue
    read -r script connections <<<"$(shape_of "$profile")"
    # The aggregate profiles measure latency (one connection): Canopy's 3-backend route, one direct
    # call (three of them one after another are the sum), and one call proxied by Canopy.
    profile_targets=${targets//,/ }
    [[ "$profile" == aggregate* ]] && profile_targets="direct canopy single"
    # A relay opens an upstream connection per client connection: under churn that is more work than a
    # proxy's pooled connections, no ceiling.
    [ "$profile" = churn ] && profile_targets=${profile_targets/relay/}
    # Each round starts one place further along the list, and every other round goes through it
    # backwards: no target always runs first, last, or right after the same one (whatever a run leaves
    # behind — sockets closing, caches, the host's drift — falls on each target in turn).
    profile_targets=$(round_order "$profile_targets" "$round")
    # Churn against the upstream directly leaves its TIME-WAIT sockets at the upstream's port, and the
    # proxies' next connections there take the same ephemeral ports (Linux hands them out per
    # destination, in order): their SYNs meet those TIME-WAIT sockets and wait a second each. Direct last.
    if [ "$profile" = churn ] && [[ " $profile_targets " == *" direct "* ]]; then
      profile_targets="${profile_targets/direct/} direct"
    fi
    for target in $profile_targets; do
      run_script=$script
      [ "$profile" = aggregate ] && [ "$target" != canopy ] && run_script=get
      [ "$profile" = aggregate1ms ] && [ "$target" != canopy ] && run_script=get1ms
      run_seconds=$duration
      if [ "$profile" = churn ]; then
        # Every churned connection leaves a TIME-WAIT socket for 60 s, and loopback has ~28k
        # ephemeral ports: runs of one second, each after the last one's have mostly gone.
        run_seconds=1
        # (and none left at the upstream's port from an earlier run: see above).
        for _ in $(seq 70); do
          [ "$(ss -tan state time-wait | wc -l)" -lt 4000 ] &&
            [ "$(ss -Htan state time-wait "( sport = :$upstream_port )" | wc -l)" = 0 ] && break
          sleep 1
        done
      fi
      pid=$(pid_of "$target")
      before_cpu=0; [ -n "$pid" ] && before_cpu=$(cpu_seconds "$pid")
      before_machine=$(machine_cpu_seconds)
      out=$(on_cpu 0 wrk -t1 -c"$connections" -d"${run_seconds}s" --latency -s "bench/wrk/$run_script.lua" \
            "http://127.0.0.1:$(port_of "$target")" 2>&1)
      after_machine=$(machine_cpu_seconds)
      requests=$(awk '/requests in/ {print $1}' <<<"$out")
      if [ -z "$requests" ] || [ "$requests" = 0 ]; then
        echo "bench: $profile/$target round $round: wrk got no answer: $(tail -2 <<<"$out" | tr '\n' ' ')" >&2
        continue
      fi
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
      p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
      errors=$(awk '/Socket errors|Non-2xx/ {printf "%s ", $0}' <<<"$out")
      cpu="-" rss="-"
      if [ -n "$pid" ]; then
        cpu=$(per_10k "$before_cpu" "$(cpu_seconds "$pid")" "$requests")
        rss=$(awk -v k="$(rss_kib "$pid")" 'BEGIN {printf "%.1f", k / 1024}')
      fi
      machine=$(per_10k "$before_machine" "$after_machine" "$requests")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$profile" "$target" "$round" "$rps" "$p50" "$p99" "$cpu" "$rss" "$machine" "$errors" >>"$results"
      if [ -n "$errors" ]; then echo "bench: $profile/$target round $round: $errors (see $work)" >&2; keep_work=1; fi
    done
  done
done

echo "Canopy bench — $(date -u +%F), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $workers worker(s) per proxy,"
echo "Canopy $(git describe --always --dirty 2>/dev/null || echo '(no git)'), $([ "$build" = pgo ] && echo 'profile-guided build (./dev build pgo)' || echo 'release build (-O2)')"
echo "wrk -t1, ${duration}s per run, median of $rounds round(s)$([ "$pin" = 1 ] && echo ', wrk + upstream on CPU 0, proxy on CPU 1')"
echo
bench/report.awk "$results"
mkdir -p build/bench && cp "$results" build/bench/results.tsv
echo "(raw results: build/bench/results.tsv)"
