-- A 16 KiB POST body, streamed up to the upstream (which answers with its hash).
-- wrk -t1 -c64 -d10s --latency -s bench/wrk/post16k.lua http://127.0.0.1:8080
wrk.method = "POST"
wrk.path = "/upload"
wrk.body = string.rep("x", 16384)
wrk.headers["Content-Type"] = "application/octet-stream"
