#!/usr/bin/env bash
# The training load of a profile-guided build (`./dev build pgo` runs it): the
# instrumented canopy in folder $1, in front of canopy-upstream from the same
# folder, driven by wrk through the shapes a gateway mostly serves — small GETs
# on keep-alive connections, 16 KiB uploads, a three-backend aggregate, new
# connections per request — plus answers it writes itself (a static route's 404,
# the 400 of a malformed request) and Prometheus scrapes. On SIGTERM canopy
# drains and exits, and the counts it gathered are written next to the build's
# objects.
#
#   bench/pgo/train.sh BINARY_DIR [SECONDS_PER_SHAPE]     default: 2
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?usage: bench/pgo/train.sh BINARY_DIR [SECONDS_PER_SHAPE]}
seconds=${2:-2}

. bench/lib.sh
work=$(mktemp -d /tmp/canopy-pgo-XXXXXX)
pids=()
cleanup() { local status=$?; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; remove_work_unless_failed "$status" "$work"; }
trap cleanup EXIT

start_upstream "$bin" train "$work/upstream.log"
pids+=("$upstream")
[ -n "$upstream_address" ] || { echo "train: canopy-upstream did not start; its log:" >&2; cat "$work/upstream.log" >&2; exit 1; }

cat >"$work/canopy.toml" <<TOML
[server]
listen = "127.0.0.1:0"
workers = 1
[admin]
listen = "127.0.0.1:0"
[upstreams.train]
endpoints = ["$upstream_address"]
$(aggregate_route train /agg "")
[[routes]]
match = { path = "/nowhere" }
static = { status = 404, body = "not here" }
[[routes]]
upstream = "train"
timeout = "10s"
TOML
"$bin/canopy" --config "$work/canopy.toml" >/dev/null 2>"$work/canopy.log" &
canopy=$!
pids+=("$canopy")
address=$(address_in_log "$work/canopy.log")
[ -n "$address" ] || { echo "train: canopy did not start; its log:" >&2; cat "$work/canopy.log" >&2; exit 1; }

load() {  # wrk script (it names the path), connections
  wrk -t1 -c"$2" -d"${seconds}s" -s "bench/wrk/$1" "http://$address/" >/dev/null
}
load get.lua 64
load get_headers.lua 64
load post16k.lua 64
load aggregate.lua 1
load churn.lua 16
admin=$(sed -n 's/.*"admin_address":"\([^"]*\)".*/\1/p' "$work/canopy.log" | head -1)
ask() {  # address, request: on a connection of its own, which the answer closes
  exec 3<>"/dev/tcp/${1%:*}/${1##*:}"
  printf '%b' "$2" >&3
  timeout 1 cat <&3 >/dev/null || true
  exec 3<&-
}
for _ in $(seq 100); do
  ask "$address" 'GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'  # a static route
  ask "$address" 'GET /x HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n'         # malformed: 400
done
for _ in $(seq 20); do
  ask "$admin" 'GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'     # a Prometheus scrape
done

kill -TERM "$canopy"
status=0
wait "$canopy" || status=$?
pids=("$upstream")
if [ "$status" != 0 ]; then
  echo "train: canopy exited with $status after SIGTERM (its counts may be missing); its log:" >&2
  tail -5 "$work/canopy.log" >&2
  exit 1
fi
