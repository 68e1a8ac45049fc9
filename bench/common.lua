-- Shared by the wrk scenarios: the bearer token, data files written by run.sh, per-thread
-- seeding, and the one parsable result line that run.sh reads.
local M = {}

local data_dir = os.getenv("BENCH_DATA_DIR") or "."
local token = os.getenv("BENCH_TOKEN") or ""
M.name = os.getenv("BENCH_NAME") or "scenario"

M.headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
M.json_headers = {
  ["Authorization"] = "Bearer " .. token,
  ["Accept"] = "application/json",
  ["Content-Type"] = "application/json",
}

-- Reads a file of run.sh's data directory into an array of its lines.
function M.lines(file)
  local out = {}
  local f = assert(io.open(data_dir .. "/" .. file, "r"), "missing " .. data_dir .. "/" .. file)
  for line in f:lines() do
    if line ~= "" then out[#out + 1] = line end
  end
  f:close()
  assert(#out > 0, file .. " is empty")
  return out
end

-- Numbers the threads (setup runs in the main state, once per thread) so that each one
-- draws a different random sequence and, for creates, a disjoint range of phone numbers.
local next_thread = 0
function M.setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

function M.seed()
  math.randomseed(os.time() * 1000 + (thread_index or 0))
end

-- RESULT name=... requests=N seconds=S rps=R p50_ms=.. p95_ms=.. p99_ms=.. max_ms=..
-- non2xx=N socket_errors=N  (wrk counts status >= 400 as non2xx)
function M.done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT name=%s requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f " ..
    "max_ms=%.3f non2xx=%d socket_errors=%d\n",
    M.name, summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, e.status,
    e.connect + e.read + e.write + e.timeout))
end

return M
