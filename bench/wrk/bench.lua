-- The requests of bench/run.sh, for wrk (https://github.com/wg/wrk, Debian package wrk):
--
--   wrk -t T -c C -d D -s bench/wrk/bench.lua http://127.0.0.1:PORT -- post        POST /counter/increment only
--   wrk ... -- mix                                                                  9 GET /counter : 1 POST
--   wrk ... -- kv KEYS                                                              PUT /kv/KEY over KEYS keys
--   wrk ... -- transfers                                                            POST /transfers of the ledger sample
--                                                                                   between alice, bob, carol and dave
--
-- Every connection sends the same deterministic sequence (no random numbers), so a mix is exactly 10% POST at
-- any connection count. done() prints one line starting with BENCH that the harness parses; latencies in us.

local next_tid = 0
local n = 0
local kind, keys, post, get
local accounts = {"alice", "bob", "carol", "dave"}

function setup(thread)
   -- Sets the global tid in the thread's own Lua state, where init() reads it.
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
end

function init(args)
   kind = args[1] or "post"
   keys = tonumber(args[2] or "1000000")
   post = wrk.format("POST", "/counter/increment")
   get = wrk.format("GET", "/counter")
   -- Threads write different keys in the kv load; tid is set by setup() before init runs.
   n = (tid or 0) * 7919
end

function request()
   n = n + 1
   if kind == "post" then
      return post
   elseif kind == "mix" then
      if n % 10 == 0 then
         return post
      end
      return get
   elseif kind == "transfers" then
      local from = n % 4
      local to = (from + 1 + math.floor(n / 4) % 3) % 4
      return wrk.format("POST", "/transfers", {["Content-Type"] = "application/json"},
         string.format('{"from":"%s","to":"%s","amount":%d}', accounts[from + 1], accounts[to + 1], 1 + n % 5))
   end
   return wrk.format("PUT", string.format("/kv/k%07d", n % keys), nil, string.format("v%015d", n))
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("BENCH requests=%d duration_us=%d connect_errors=%d read_errors=%d write_errors=%d "
         .. "status_errors=%d timeouts=%d p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.1f\n",
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
      latency.max, latency.mean))
end
