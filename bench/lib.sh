# Sourced by the bench scripts (from the repository's top folder): Debian
# packages they need, and processes that announce their address in a JSON log
# line ("address":"127.0.0.1:PORT"), started on a free port; routes they configure.

# Installs those of the Debian packages $2… that are missing; $1 names the script in messages.
install_missing() {
  local who=$1 missing=() p
  shift
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "$who: installing ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Run from a script's EXIT trap with the script's exit status $1: its scratch
# directory $2 (configs, logs) goes when the script succeeded and stays, named
# on stderr, when it failed.
remove_work_unless_failed() {
  if [ "$1" = 0 ]; then rm -rf "$2"; else echo "logs kept in $2" >&2; fi
}

# Prints the "address" of the first line of log $1 that has one, waiting up to 5 s.
address_in_log() {
  for _ in $(seq 100); do grep -q '"address"' "$1" 2>/dev/null && break; sleep 0.05; done
  sed -n 's/.*"address":"\([^"]*\)".*/\1/p' "$1" | head -1
}

# Starts canopy-upstream (binary folder $1) as listener $2, logging to $3, on
# CPU $4 if given; sets $upstream (its pid) and $upstream_address.
start_upstream() {
  local pin=()
  [ -n "${4:-}" ] && pin=(taskset -c "$4")
  "${pin[@]}" "$1/canopy-upstream" --listen "127.0.0.1:0=$2" >"$3" 2>&1 &
  upstream=$!
  upstream_address=$(address_in_log "$3")
}

# A three-backend aggregate route in TOML: upstream $1, the route's path $2, and
# what each backend's path (/a, /b, /c) ends with $3.
aggregate_route() {
  printf '[[routes]]\nmatch = { path = "%s" }\ntimeout = "5s"\naggregate = { backends = [\n' "$2"
  for key in a b c; do printf '  { upstream = "%s", path = "/%s%s", key = "%s" },\n' "$1" "$key" "$3" "$key"; done
  printf '] }'
}
