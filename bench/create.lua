-- POST /api/leads: every request creates a new lead with a phone no other lead has. Phones
-- come from area code 458, which bench-data never generates; BENCH_CREATE_OFFSET separates
-- the runs of one benchmark and thread_index the threads of one run.
local common = dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")
local offset = tonumber(os.getenv("BENCH_CREATE_OFFSET") or "0")
local sent = 0

setup = common.setup
done = common.done

function init(args)
  common.seed()
end

function request()
  sent = sent + 1
  local k = offset + thread_index * 1000000 + sent
  -- Seven digits from 2000000: a valid exchange (first digit 2-9) and line.
  local phone = string.format("+1458%07d", 2000000 + k % 8000000)
  local body = string.format(
    '{"first_name":"Wrk","last_name":"Create%d","phone":"%s","email":"create%d@example.com",' ..
    '"source":"website","tags":["hot","buyer"],"lead_score":40}', k, phone, k)
  return wrk.format("POST", "/api/leads", common.json_headers, body)
end
