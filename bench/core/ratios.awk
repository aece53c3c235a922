# Reads Google Benchmark CSV; prints each Nursery* result next to its BareAsio*
# twin and the ratio (how much the structure costs over bare Asio).
BEGIN { FS = ","; printf "%-34s %14s %14s %8s\n", "benchmark", "bare asio", "nursery", "ratio" }
/^"/ {
  gsub(/"/, "", $1)
  name = $1; time = $3; unit = $5
  split(name, parts, "/"); base = parts[1]; arg = parts[2]
  if (base ~ /^BareAsio/) { sub(/^BareAsio/, "", base); bare[base "/" arg] = time; units[base "/" arg] = unit }
  else if (base ~ /^Nursery/) { sub(/^Nursery/, "", base); nursery[base "/" arg] = time; units[base "/" arg] = unit; order[++n] = base "/" arg }
}
END {
  for (i = 1; i <= n; i++) {
    k = order[i]
    if (k in bare) printf "%-34s %11.3f %-2s %11.3f %-2s %7.2fx\n", k, bare[k], units[k], nursery[k], units[k], nursery[k] / bare[k]
    else printf "%-34s %14s %11.3f %-2s %8s\n", k, "-", nursery[k], units[k], "-"
  }
}
