-- POST /api/leads: every request creates a new lead with a phone no other lead has. Phones
-- come from area code 458, which bench-data never generates: run.sh gives each create run
-- its own two million numbers (BENCH_CREATE_OFFSET) and each thread a quarter of a million.
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
  local k = offset + thread_index * 250000 + sent
  assert(k < 8000000, "create runs exhausted area code 458")
  -- NXX-XXXX from 200-0000: the exchange's first digit must be 2-9.
  local phone = string.format("+1458%07d", 2000000 + k)
  local body = string.format(
    '{"first_name":"Wrk","last_name":"Create%d","phone":"%s","email":"create%d@example.com",' ..
    '"source":"website","tags":["hot","buyer"],"lead_score":40}', k, phone, k)
  return wrk.format("POST", "/api/leads", common.json_headers, body)
end
