-- One call to a backend that takes 1 ms to answer (the upstream's delay parameter).
-- wrk -t1 -c1 -d10s --latency -s bench/wrk/get1ms.lua http://127.0.0.1:8080
wrk.method = "GET"
wrk.path = "/small?delay=1"
