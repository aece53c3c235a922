#!/usr/bin/env bash
# Overload soak: Canopy admits 20 requests at a time (+20 queued for 100 ms) in
# front of an upstream that takes 50 ms (capacity ~400 requests/s), and wrk
# offers ~10x that for DURATION seconds. Prints RSS over time, the share of
# 503s, and the latency of admitted requests (from Canopy's access log).
#
#   bench/soak/overload.sh [DURATION_SECONDS=60] [CONNECTIONS=160] [PAUSE_MS=25]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-60}
connections=${2:-160}
pause_ms=${3:-25}
./dev build release >/dev/null
bin=build/release/gateway
work=$(mktemp -d /tmp/canopy-soak-XXXXXX)
cleanup() { local status=$?; kill "${canopy:-}" "${upstream:-}" 2>/dev/null || true; wait 2>/dev/null || true; remove_work_unless_failed "$status" "$work"; }
trap cleanup EXIT

. bench/lib.sh
start_upstream "$bin" slow "$work/upstream.log"

cat >"$work/soak.toml" <<TOML
[server]
listen = "127.0.0.1:0"
workers = 1  # the figures in README are for one worker (limits are split over workers)
[limits]
max_inflight = 20
queue = 20
queue_timeout = "100ms"
[upstreams.slow]
endpoints = ["$upstream_address"]
[[routes]]
upstream = "slow"
timeout = "2s"
TOML
"$bin/canopy" --config "$work/soak.toml" >"$work/access.log" 2>"$work/events.log" &
canopy=$!
address=$(address_in_log "$work/events.log")

rss() { awk '/^VmRSS/ {print $2}' "/proc/$canopy/status"; }
echo "second,rss_kib" >"$work/rss.csv"
echo "0,$(rss)" >>"$work/rss.csv"
PAUSE_MS=$pause_ms wrk -t2 -c"$connections" -d"${duration}s" -s bench/soak/overload.lua \
  "http://$address/?delay=50" >"$work/wrk.txt" &
load=$!
for s in $(seq "$duration"); do
  sleep 1
  echo "$s,$(rss)" >>"$work/rss.csv"
done
wait "$load"
sleep 1
echo "idle,$(rss)" >>"$work/rss.csv"
kill -TERM "$canopy"; wait "$canopy" || true

echo "overload soak: $duration s, $connections connections pausing $pause_ms ms; capacity ~400 requests/s (20 x 50 ms)"
grep -E "Requests/sec|Socket errors" "$work/wrk.txt" || true
awk -F'"status":' '{split($2, s, ","); n++; if (s[1] == 503) r++; else if (s[1] == 200) a++; else if (s[1] == 499) c++; else o++}
  END {printf "requests %d (%.0f/s offered, %.1fx capacity): 200 %d, 503 %d (%.1f%%), 499 %d (wrk stopping), other %d\n",
       n, n / '"$duration"', n / '"$duration"' / 400, a, r, 100 * r / n, c, o}' "$work/access.log"
grep '"status":200' "$work/access.log" | sed -n 's/.*"duration_us":\([0-9]*\).*/\1/p' | sort -n |
  awk '{d[NR] = $1} END {printf "admitted latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms (route timeout 2000 ms)\n",
       d[int(NR * 0.5)] / 1000, d[int(NR * 0.99)] / 1000, d[NR] / 1000}'
awk -F, 'NR > 1 {printf "%s%s:%.1f", sep, $1, $2 / 1024; sep = " "} END {print ""}' "$work/rss.csv" |
  fold -s -w 120 | sed '1s/^/RSS MiB by second: /'
awk -F, 'NR > 2 && $1 != "idle" {if (min == "" || $2 < min) min = $2; if ($2 > max) max = $2}
  END {printf "RSS under load: min %.1f MiB, max %.1f MiB\n", min / 1024, max / 1024}' "$work/rss.csv"
