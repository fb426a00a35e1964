-- wrk script: requests read from a file, one per line, tab-separated:
--   METHOD  PATH  AUTHORIZATION  CONTENT-TYPE  BODY   (empty fields allowed)
-- Each thread walks its own stride of the file from an offset, so one-shot requests
-- (a payment created, an order notified, a login code) are not repeated within a run
-- and, with the offset moved on, not across runs either.
-- Arguments (after --): file, offset, threads. BENCH_DELAY_MS in the environment
-- paces each connection (a fixed-rate run for latencies).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local pace = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if pace > 0 then
  function delay()
    return pace
  end
end

local lines = {}
idx = 0 -- global: done() reads how far each thread went
local stride = 1

function init(args)
  for line in io.lines(args[1]) do
    local method, path, auth, ctype, body =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if auth ~= "" then headers["Authorization"] = auth end
    if ctype ~= "" then headers["Content-Type"] = ctype end
    if body == "" then body = nil end
    lines[#lines + 1] = wrk.format(method, path, headers, body)
  end
  stride = tonumber(args[3] or "1")
  idx = tonumber(args[2] or "0") + tid
end

function request()
  local r = lines[(idx % #lines) + 1]
  idx = idx + stride
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  -- Threads go at their own speeds: the next run starts past the furthest line any
  -- thread reached (lines in between are skipped, never sent twice).
  local furthest = 0
  for _, thread in ipairs(threads) do
    local reached = thread:get("idx")
    if reached > furthest then furthest = reached end
  end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "status_errors": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "furthest": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, furthest))
end
