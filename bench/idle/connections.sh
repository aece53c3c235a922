#!/usr/bin/env bash
# What an idle keep-alive client connection costs Canopy: opens COUNT client
# connections, has each answered once (through to the upstream, so that every
# buffer a real connection touches is in use), leaves them all open and idle,
# and prints Canopy's RSS before and after, and the cost per connection.
#
#   bench/idle/connections.sh [COUNT=10000] [WORKERS=1]
#
# Needs COUNT + ~100 file descriptors for Canopy and for the client (it raises
# its soft limit to the hard one). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
count=${1:-10000}
workers=${2:-1}
./dev build release >/dev/null
bin=build/release/gateway
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((count + 100)) ]; then
  echo "idle: $count connections need $((count + 100)) file descriptors; the hard limit is $(ulimit -Hn)" >&2
  exit 1
fi
work=$(mktemp -d /tmp/canopy-idle-XXXXXX)
cleanup() { local status=$?; kill "${canopy:-}" "${upstream:-}" 2>/dev/null || true; wait 2>/dev/null || true; remove_work_unless_failed "$status" "$work"; }
trap cleanup EXIT

. bench/lib.sh
start_upstream "$bin" idle "$work/upstream.log"

cat >"$work/idle.toml" <<TOML
[server]
listen = "127.0.0.1:0"
workers = $workers
idle_timeout = "10m"
max_connections = $((count + 10))
[upstreams.idle]
endpoints = ["$upstream_address"]
[[routes]]
upstream = "idle"
TOML
"$bin/canopy" --config "$work/idle.toml" >/dev/null 2>"$work/canopy.log" &
canopy=$!
port=$(address_in_log "$work/canopy.log"); port=${port##*:}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$canopy/status"; }
before=$(rss_kib)
# The client measures while its connections are still open, then closes them.
after=$(python3 - "$port" "$count" "$canopy" <<'PY'
import socket, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
request = b"GET /idle HTTP/1.1\r\nHost: bench\r\n\r\n"
conns = []
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < length:
        body += s.recv(65536)
    conns.append(s)
time.sleep(1)  # let Canopy settle: every connection is back to waiting for its next request
with open(f"/proc/{sys.argv[3]}/status") as status:
    rss = [l for l in status if l.startswith("VmRSS")][0].split()[1]
print(rss, flush=True)
for s in conns:
    s.close()
PY
)
echo "Canopy idle keep-alive connections — $(date -u +%F), $(nproc) cores, $workers worker(s), release build"
echo "RSS before: $((before / 1024)) MiB; with $count idle connections: $((after / 1024)) MiB"
echo "per connection: $(( (after - before) * 1024 / count )) bytes ($(awk -v a="$after" -v b="$before" -v n="$count" 'BEGIN {printf "%.1f", (a - b) / n}') KiB)"
