#!/usr/bin/awk -f
# bench/run.sh's table: medians over rounds of each (profile, target), with
# ratios against the direct upstream and against nginx.
# Input (TSV): profile target round rps p50_ms p99_ms cpu_s_per_10k rss_mib machine_cpu_s_per_10k errors
BEGIN { FS = "\t" }
{
  key = $1 SUBSEP $2
  if (!(key in n)) { order[++keys] = key }
  i = ++n[key]
  rps[key, i] = $4; p50[key, i] = $5; p99[key, i] = $6; cpu[key, i] = $7; rss[key, i] = $8; all[key, i] = $9
}
# v[1..count]: arr[key, 1..count] in ascending order; 0 when one of them is "-" (not measured).
function sorted(arr, key, count, v,    i, j, t) {
  for (i = 1; i <= count; i++) { if (arr[key, i] == "-") return 0; v[i] = arr[key, i] + 0 }
  for (i = 2; i <= count; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
  return 1
}
# The middle of sorted v[1..count].
function middle(v, count) { return count % 2 ? v[(count + 1) / 2] : (v[count / 2] + v[count / 2 + 1]) / 2 }
function median(arr, key, count,    v) { return sorted(arr, key, count, v) ? middle(v, count) : "-" }
# P(X <= k) for X ~ Binomial(n, 1/2): how likely k or fewer of n rounds fall below the true median.
function below_median_tail(n, k,    i, c, p) {
  c = 1; p = 0
  for (i = 0; i <= k; i++) { p += c; c = c * (n - i) / (i + 1) }
  return p / 2 ^ n
}
# Sorted v[1..count]'s k-th lowest and k-th highest hold the true median with
# probability 1 - 2 P(X <= k - 1) whatever the distribution (the rounds taken
# as independent): the narrowest such interval with 90 % or more, or the widest
# there is when there are too few rounds for that. Sets lo, hi, confidence.
function median_interval(v, count,    k) {
  for (k = int(count / 2); k > 1 && 1 - 2 * below_median_tail(count, k - 1) < 0.9; k--) {}
  lo = v[k]; hi = v[count - k + 1]; confidence = 1 - 2 * below_median_tail(count, k - 1)
}
# A ratio as printed (two decimals): what "1.00x or more" and the verdicts compare.
function as_printed(x) { return sprintf("%.2f", x) + 0 }
# Prints Canopy's `metric` over nginx's in each round of each profile both ran,
# their median, how many rounds were on the `good` side of 1.00 ("or more" /
# "or less"), and with three rounds or more the median's interval and what it
# allows: `above` when it lies above 1.00, `below` when below, else "level".
# Returns how many intervals it printed.
function canopy_against_nginx(metric, title, good, above, below,    k, key, part, profile, rounds, line, count, i, r, shown, printed, per, v, verdict) {
  shown = printed = 0
  for (k = 1; k <= keys; k++) {
    key = order[k]; split(key, part, SUBSEP); profile = part[1]
    if (part[2] != "canopy" || profile ~ /^aggregate/ || !((profile, "nginx") in n)) continue
    if (!shown++) { print ""; print "canopy / nginx " title ", round by round:" }
    rounds = n[key] < n[profile, "nginx"] ? n[key] : n[profile, "nginx"]
    line = ""; count = 0
    for (i = 1; i <= rounds; i++) {
      per[profile, i] = metric[key, i] / metric[profile, "nginx", i]
      line = line sprintf(" %.2f", per[profile, i])
      r = as_printed(per[profile, i])
      if (good == "or more" ? r >= 1 : r <= 1) count++
    }
    sorted(per, profile, rounds, v)
    printf "%-10s%s   median %.2fx, 1.00x %s in %d of %d", profile, line, middle(v, rounds), good, count, rounds
    if (rounds >= 3) {
      printed++
      median_interval(v, rounds)
      verdict = as_printed(lo) > 1 ? above : as_printed(hi) < 1 ? below : "level"
      printf "; %.2f-%.2f with %.0f %% confidence: %s", lo, hi, confidence * 100, verdict
    }
    print ""
  }
  return printed
}
function ratio(a, b) { return (a == "-" || b == "-" || b == 0) ? "-" : sprintf("%.2fx", a / b) }
END {
  for (k = 1; k <= keys; k++) {
    key = order[k]
    R[key] = median(rps, key, n[key]); P50[key] = median(p50, key, n[key]); P99[key] = median(p99, key, n[key])
    C[key] = median(cpu, key, n[key]); M[key] = median(rss, key, n[key]); A[key] = median(all, key, n[key])
  }
  printf "%-10s %-8s %11s %9s %9s %10s %10s %8s %10s %10s\n", "profile", "target", "requests/s", "p50 ms", "p99 ms",
         "CPU s/10k", "all s/10k", "RSS MiB", "vs direct", "vs nginx"
  for (k = 1; k <= keys; k++) {
    key = order[k]; split(key, part, SUBSEP); profile = part[1]; target = part[2]
    direct = (profile, "direct") in R ? R[profile, "direct"] : "-"
    nginx = (profile, "nginx") in R ? R[profile, "nginx"] : "-"
    printf "%-10s %-8s %11.0f %9.3f %9.3f %10s %10s %8s %10s %10s\n", profile, target, R[key], P50[key], P99[key], C[key],
           A[key], M[key], target == "direct" ? "" : ratio(R[key], direct), target == "nginx" || target == "relay" || profile ~ /^aggregate/ ? "" : ratio(R[key], nginx)
  }
  # Canopy against nginx round by round: both ran in the same round, minutes
  # apart at most, so the machine's state changed less between them than
  # between rounds; the spread shows how far one run's ratio can be trusted.
  # Requests/s (higher is better), then p99 (lower is better).
  intervals = 0
  intervals += canopy_against_nginx(rps, "requests/s", "or more", "ahead", "behind")
  intervals += canopy_against_nginx(p99, "p99 latency", "or less", "higher", "lower")
  if (intervals) print "(a median's interval from the rounds' order alone; \"level\": it holds 1.00, so this run cannot tell the two apart)"
  # Direct has no proxy in it: how far its requests/s move from round to round is
  # the machine's own swing (a shared VM's neighbours, frequency), and a ratio
  # between two targets that moves less than that is within the noise.
  header = 0
  for (k = 1; k <= keys; k++) {
    key = order[k]; split(key, part, SUBSEP); profile = part[1]
    if (part[2] != "direct" || n[key] < 2 || profile ~ /^aggregate/) continue
    if (!header++) { print ""; print "direct round by round, against its median (the machine's own swing):" }
    line = ""; low = 0; high = 0
    for (i = 1; i <= n[key]; i++) {
      f = rps[key, i] / R[key]
      line = line sprintf(" %.2f", f)
      if (i == 1 || f < low) low = f
      if (i == 1 || f > high) high = f
    }
    printf "%-10s%s   swing %.0f %%\n", profile, line, (high - low) * 100
  }
  # The relay copies bytes and nothing else: what a proxy keeps of its requests/s
  # is what its own work costs, apart from what any proxy costs on these cores.
  header = 0
  split("canopy nginx haproxy", proxies, " ")
  for (k = 1; k <= keys; k++) {
    key = order[k]; split(key, part, SUBSEP); profile = part[1]
    if (part[2] != "relay" || !((profile, "direct") in R)) continue
    if (!header++) { print ""; print "relay (bytes copied, no HTTP: the ceiling for any proxy here) against direct, and each proxy against it:" }
    line = sprintf("%-10s relay %s of direct;", profile, ratio(R[key], R[profile, "direct"]))
    for (q = 1; q <= 3; q++) if ((profile, proxies[q]) in R) line = line sprintf(" %s %s", proxies[q], ratio(R[profile, proxies[q]], R[key]))
    print line
  }
  split("aggregate aggregate1ms", aggregates, " ")
  for (a = 1; a <= 2; a++) {
    agg = aggregates[a]
    if (!((agg, "canopy") in P50)) continue
    print ""
    printf "%s (one connection): p50 %.3f ms for 3 backend calls", agg, P50[agg, "canopy"]
    if ((agg, "direct") in P50) printf "; 3 direct calls one after another: %.3f ms (%s)", 3 * P50[agg, "direct"], ratio(P50[agg, "canopy"], 3 * P50[agg, "direct"])
    if ((agg, "single") in P50) printf "; one call through Canopy: %.3f ms (%s; target <= 1.50x)", P50[agg, "single"], ratio(P50[agg, "canopy"], P50[agg, "single"])
    print ""
  }
}
