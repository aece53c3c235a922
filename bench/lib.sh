# Sourced by the bench scripts: processes that announce their address in a
# JSON log line ("address":"127.0.0.1:PORT"), started on a free port.

# Prints the "address" of the first line of log $1 that has one, waiting up to 5 s.
address_in_log() {
  for _ in $(seq 100); do grep -q '"address"' "$1" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/.*"address":"\([^"]*\)".*/\1/p' "$1" | head -1
}

# Starts canopy-upstream (binary folder $1) as listener $2, logging to $3; sets
# $upstream (its pid) and $upstream_address.
start_upstream() {
  "$1/canopy-upstream" --listen "127.0.0.1:0=$2" >"$3" 2>&1 &
  upstream=$!
  upstream_address=$(address_in_log "$3")
}
