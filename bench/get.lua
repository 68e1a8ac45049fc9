-- GET scenarios (lead by id, filtered lists, searches): each request is a random line of
-- the URL file named by BENCH_URLS, written by run.sh from the bench_ids sample.
local common = dofile((os.getenv("BENCH_LUA_DIR") or ".") .. "/common.lua")
local urls

setup = common.setup
done = common.done

function init(args)
  common.seed()
  urls = common.lines(os.getenv("BENCH_URLS"))
end

function request()
  return wrk.format("GET", urls[math.random(#urls)], common.headers)
end
