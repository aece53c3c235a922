-- A rate-limited wrk load for the overload soak: each connection pauses
-- PAUSE_MS between its requests, so the offered rate is about
-- connections * 1000 / (PAUSE_MS + answer time) however fast the 503s come back.
-- Usable alone: PAUSE_MS=25 wrk -t2 -c100 -d60s -s bench/soak/overload.lua 'http://127.0.0.1:8080/?delay=50'
local pause_ms = tonumber(os.getenv("PAUSE_MS") or "25")

function delay()
  return pause_ms
end
