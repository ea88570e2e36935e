-- wrk: POST /v1/contracts/{random bench contract}/events with the bench funding event.
package.path = (os.getenv("BENCH_WRK_DIR") or ".") .. "/?.lua;" .. package.path
local common = require("common")

local f = assert(io.open(assert(os.getenv("BENCH_EVENT_FILE")), "r"))
local body = '{"events":[' .. f:read("*l") .. ']}'
f:close()

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  return wrk.format("POST", "/v1/contracts/" .. common.contract_id() .. "/events", common.headers,
                    body)
end

done = common.done
