-- wrk: GET /v1/contracts/{random bench contract}, the current state view.
package.path = (os.getenv("BENCH_WRK_DIR") or ".") .. "/?.lua;" .. package.path
local common = require("common")

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  return wrk.format("GET", "/v1/contracts/" .. common.contract_id(), common.headers)
end

done = common.done
