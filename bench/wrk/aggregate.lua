-- Canopy's 3-backend aggregate route (/agg merges /a, /b and /c of the upstream).
-- wrk -t1 -c64 -d10s --latency -s bench/wrk/aggregate.lua http://127.0.0.1:8080
wrk.method = "GET"
wrk.path = "/agg"
