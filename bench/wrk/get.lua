-- Small GET on a keep-alive connection: the gateway's bread and butter.
-- wrk -t1 -c64 -d10s --latency -s bench/wrk/get.lua http://127.0.0.1:8080
wrk.method = "GET"
wrk.path = "/small"
