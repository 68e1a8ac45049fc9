-- POST scenarios (DNC batch checks): each request posts a random line of the file named by
-- BENCH_URLS (one JSON body per line, written by run.sh) to BENCH_PATH.
local common = dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")
local path = os.getenv("BENCH_PATH") or "/api/dnc/check"
local bodies

setup = common.setup
done = common.done

function init(args)
  common.seed()
  bodies = common.lines(os.getenv("BENCH_URLS"))
end

function request()
  return wrk.format("POST", path, common.json_headers, bodies[math.random(#bodies)])
end
