#!/usr/bin/env bash
# Four client scenarios from the article Canopy grew from, against a local
# canopy-upstream, with three client runtimes side by side: Canopy's core/
# (C++ coroutines, nurseries, Beast), Trio + httpx and asyncio + aiohttp.
#
#   1  1,000 concurrent GETs, each on its own connection
#   2  100 GETs, one in five to an endpoint that takes 5 s, each with a 1 s timeout
#   3  500 workers looping GETs of a 100 ms endpoint, everything cancelled after 2 s:
#      how long the cancel takes, and how many sockets are still open at the
#      upstream 100 ms after it returned
#   4  a producer and a consumer through a bounded channel of 100, 10,000 items
#
#   bench/scenarios/run.sh [--pin]     --pin: the upstream on CPU 0, the client on CPU 1
#
# Installs what it needs (python3-trio, python3-httpx, python3-aiohttp: Debian
# packages, run with Debian's /usr/bin/python3), builds Canopy in release mode.
set -euo pipefail
cd "$(dirname "$0")/../.."
pin=0
[ "${1:-}" = --pin ] && pin=1
on_cpu() { if [ "$pin" = 1 ]; then taskset -c "$1" "${@:2}"; else "${@:2}"; fi; }

. bench/lib.sh
install_missing scenarios python3-trio python3-httpx python3-aiohttp curl
./dev build release >/dev/null
python=/usr/bin/python3  # Debian's, where the packages above are
ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/canopy-scenarios-XXXXXX)
cleanup() { local status=$?; kill "${upstream:-}" 2>/dev/null || true; wait 2>/dev/null || true; remove_work_unless_failed "$status" "$work"; }
trap cleanup EXIT
start_upstream build/release/gateway scenarios "$work/upstream.log" "$([ "$pin" = 1 ] && echo 0)"
address=$upstream_address

open_at_upstream() {  # connections the upstream has open, not counting the one asking
  curl -s "http://$address/_stats" |
    /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["connections_opened"] - s["connections_closed"] - 1)'
}

declare -A result
run_one() {  # $1 runtime, $2 scenario
  local out="$work/$1.$2.out"
  case "$1" in
    core) on_cpu 1 build/release/bench/scenarios/core_scenarios "$address" "$2" >"$out" 2>&1 & ;;
    trio) on_cpu 1 "$python" bench/scenarios/trio_scenarios.py "$address" "$2" >"$out" 2>&1 & ;;
    asyncio) on_cpu 1 "$python" bench/scenarios/asyncio_scenarios.py "$address" "$2" >"$out" 2>&1 & ;;
  esac
  local pid=$! open=""
  if [ "$2" = 3 ]; then
    while kill -0 "$pid" 2>/dev/null && ! grep -q measure_now "$out"; do sleep 0.01; done
    sleep 0.1
    open=$(open_at_upstream)
  fi
  if ! wait "$pid"; then
    echo "scenarios: $1 failed scenario $2:" >&2
    cat "$out" >&2
    exit 1
  fi
  while read -r key value; do result[$1.$2.$key]=$value; done < <(grep -v measure_now "$out")
  result[$1.$2.open]=$open
  sleep 1  # let the upstream see every connection of this run close
}

runtimes=(core trio asyncio)
for scenario in 1 2 3 4; do
  for runtime in "${runtimes[@]}"; do run_one "$runtime" "$scenario"; done
done

row() {  # $1 label, $2 scenario, $3 key, $4 format
  printf "%-52s" "$1"
  for runtime in "${runtimes[@]}"; do
    local value=${result[$runtime.$2.$3]:-0}
    [ "$3" = max_rss_kib ] && value=$(awk -v k="$value" 'BEGIN {print k / 1024}')
    printf " %12s" "$(printf "$4" "$value")"
  done
  echo
}
echo "Client scenarios — $(date -u +%F), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), one thread each$([ "$pin" = 1 ] && echo ', upstream on CPU 0, client on CPU 1')"
printf "%-52s %12s %12s %12s\n" "" "core/ (C++)" "Trio+httpx" "asyncio"
row "1. 1,000 concurrent GETs: seconds" 1 seconds "%.3f"
row "   answered 200" 1 ok "%d"
row "   peak RSS MiB" 1 max_rss_kib "%.1f"
row "2. 100 GETs, 20 % slow, 1 s timeout: seconds" 2 seconds "%.3f"
row "   timed out (expected 20)" 2 timed_out "%d"
row "   peak RSS MiB" 2 max_rss_kib "%.1f"
row "3. 500 looping workers cancelled at 2 s: cancel ms" 3 cancel_ms "%.2f"
row "   sockets open at the upstream 100 ms later" 3 open "%d"
row "   requests done in the 2 s" 3 requests "%d"
row "   peak RSS MiB" 3 max_rss_kib "%.1f"
row "4. bounded channel (100), 10,000 items: seconds" 4 seconds "%.4f"
row "   peak RSS MiB" 4 max_rss_kib "%.1f"
