#!/usr/bin/env bash
# bench/report.awk's verdicts on Canopy against nginx: "ahead"/"behind" (requests/s)
# and "lower"/"higher" (p99) only when the interval for the median of the
# per-round ratios leaves out 1.00; the interval is the rounds' order statistics
# with the confidence the binomial distribution gives them.
#   tests/bench/report_test.sh path/to/bench/report.awk
set -euo pipefail
report=$1
failures=0

# Rows as bench/run.sh writes them (profile target round rps p50 p99 cpu rss all errors), one round per
# canopy:nginx pair of $2 (rps or p99); the other column is the same for both.
rounds() {
  local profile=$1 metric=$2 round=0 pair target value rps p99
  shift 2
  for pair in "$@"; do
    round=$((round + 1))
    for target in canopy nginx; do
      if [ "$target" = canopy ]; then value=${pair%%:*}; else value=${pair##*:}; fi
      rps=1000 p99=2
      if [ "$metric" = rps ]; then rps=$value; else p99=$value; fi
      printf '%s\t%s\t%d\t%s\t1\t%s\t0.2\t10\t0.5\t\n' "$profile" "$target" "$round" "$rps" "$p99"
    done
  done
}
# The profile's line in the requests/s block ($2 = 1, the first after the table) or the p99 block (2).
line_of() { awk -f "$report" | grep "^$1 " | grep -v "canopy\|nginx" | sed -n "${2}p" || true; }
# check WHAT PROFILE METRIC EXPECTED PAIRS...: the profile's line in METRIC's block holds EXPECTED.
check() {
  local what=$1 profile=$2 metric=$3 expected=$4 block=1 line
  shift 4
  [ "$metric" = p99 ] && block=2
  line=$(rounds "$profile" "$metric" "$@" | line_of "$profile" "$block")
  if [[ "$line" != *"$expected"* ]]; then
    echo "FAIL: $what: expected '$expected' in: $line" >&2
    failures=$((failures + 1))
  fi
}

check "five rounds all above" get64 rps "1.02-1.20 with 94 % confidence: ahead" \
  1100:1000 1050:1000 1200:1000 1020:1000 1080:1000
check "five rounds all below" get64 rps "0.80-0.99 with 94 % confidence: behind" \
  900:1000 950:1000 800:1000 990:1000 970:1000
check "one round of five below" get64 rps "0.95-1.20 with 94 % confidence: level" \
  1100:1000 950:1000 1200:1000 1020:1000 1080:1000
check "the lowest of five level" get64 rps "1.00x or more in 5 of 5; 1.00-1.10 with 94 % confidence: level" \
  1000:1000 1050:1000 1100:1000 1020:1000 1080:1000

# Ten rounds: the 2nd lowest and 2nd highest (97.9 %); the 3rd would give 89 %, under 90 %.
check "ten rounds" get256 rps "median 1.01x, 1.00x or more in 6 of 10; 0.87-1.16 with 98 % confidence: level" \
  910:1000 1160:1000 870:1000 890:1000 1010:1000 830:1000 1010:1000 1270:1000 1150:1000 1020:1000
check "ten rounds, only the lowest below" get256 rps "1.01-1.16 with 98 % confidence: ahead" \
  1010:1000 1160:1000 1070:1000 1090:1000 1010:1000 1030:1000 1010:1000 1270:1000 1150:1000 990:1000

# p99: lower is better, so the verdict's words turn around.
check "p99 lower in all five" get64 p99 "1.00x or less in 5 of 5; 0.80-0.97 with 94 % confidence: lower" \
  1.8:2.0 1.9:2.0 1.7:2.0 1.95:2.0 1.6:2.0
check "p99 higher in all five" get64 p99 "1.05-1.25 with 94 % confidence: higher" \
  2.2:2.0 2.1:2.0 2.4:2.0 2.3:2.0 2.5:2.0
check "p99 higher in one of five, equal in one" get64 p99 "1.00x or less in 4 of 5; 0.80-1.05 with 94 % confidence: level" \
  1.8:2.0 2.1:2.0 2.0:2.0 1.95:2.0 1.6:2.0

check "one round" churn rps "median 0.90x, 1.00x or more in 0 of 1" 900:1000
if rounds churn rps 900:1000 | line_of churn 1 | grep -q confidence; then
  echo "FAIL: one round got an interval" >&2
  failures=$((failures + 1))
fi

[ "$failures" = 0 ] && echo "report.awk: every verdict as expected"
exit "$failures"
