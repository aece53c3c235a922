-- A 1 MiB response streamed down to the client.
-- wrk -t1 -c16 -d10s --latency -s bench/wrk/big.lua http://127.0.0.1:8080
wrk.method = "GET"
wrk.path = "/big?bytes=1048576"
