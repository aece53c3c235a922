-- Canopy's 3-backend aggregate route whose backends each take 1 ms to answer, as a
-- service that does any I/O does (/agg1ms merges /a, /b and /c?delay=1 of the upstream).
-- wrk -t1 -c1 -d10s --latency -s bench/wrk/aggregate1ms.lua http://127.0.0.1:8080
wrk.method = "GET"
wrk.path = "/agg1ms"
