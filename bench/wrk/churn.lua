-- Connection churn: every request on a new client connection (Connection: close).
-- wrk -t1 -c64 -d10s --latency -s bench/wrk/churn.lua http://127.0.0.1:8080
wrk.method = "GET"
wrk.path = "/small"
wrk.headers["Connection"] = "close"
