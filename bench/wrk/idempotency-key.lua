-- The requests of bench/idempotency.sh, for wrk (https://github.com/wg/wrk, Debian package wrk):
--
--   wrk -t T -c C -d D -s bench/wrk/idempotency-key.lua http://127.0.0.1:PORT -- key PREFIX
--        POST /counter/increment, every request with its own Idempotency-Key: PREFIX-THREAD-N
--   wrk ... -- none
--        the same POST without the header
--
-- THREAD numbers wrk's threads (setup), N counts the requests of that thread, so no two requests of one wrk run
-- share a key; a different PREFIX for each wrk run against the same service (warm-up, measurement) keeps the keys
-- of the runs apart, so no request is answered from the key table instead of running. Both modes build every
-- request the same way (wrk.format with a fresh header table, no body, as bench.lua's POST), so the client does
-- the same work but for the header. done() prints bench.lua's BENCH line; latencies in us.

local threads = 0 -- setup() runs in wrk's main Lua state, once per thread

function setup(thread)
   thread:set("id", threads) -- a global of that thread's own Lua state, set before its init() runs
   threads = threads + 1
end

local n = 0
local path = "/counter/increment"
local keyed, prefix

function init(args)
   keyed = (args[1] or "key") == "key"
   prefix = (args[2] or "k") .. "-" .. (id or 0) .. "-"
end

function request()
   n = n + 1
   if keyed then
      return wrk.format("POST", path, {["Idempotency-Key"] = prefix .. n})
   end
   return wrk.format("POST", path, {})
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("BENCH requests=%d duration_us=%d connect_errors=%d read_errors=%d write_errors=%d "
         .. "status_errors=%d timeouts=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f\n",
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
      latency.max, latency.mean))
end
