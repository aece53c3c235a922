-- A small GET with the headers a browser or an API client sends (the other profiles send only Host):
-- what parsing, checking and forwarding a realistic request head costs.
-- wrk -t1 -c64 -d10s --latency -s bench/wrk/get_headers.lua http://127.0.0.1:8080
wrk.method = "GET"
wrk.path = "/small"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
wrk.headers["Accept"] = "application/json, text/plain, */*"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
wrk.headers["Accept-Language"] = "en-US,en;q=0.9"
wrk.headers["Authorization"] = "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc"
wrk.headers["Cookie"] = "session=0123456789abcdef; theme=dark"
wrk.headers["X-Request-Id"] = "7f3c9a2e-1b4d-4e8a-9c6f-2d5e8b1a3c7f"
wrk.headers["Cache-Control"] = "no-cache"
