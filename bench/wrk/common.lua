-- Shared by the wrk scripts: the bearer token, random bench contract ids, and a JSON summary line
-- (requests, seconds, errors, latency percentiles in µs) printed when the run ends.
local M = {}

M.contracts = tonumber(os.getenv("BENCH_CONTRACTS") or "10000")
M.headers = {
  ["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or ""),
  ["Content-Type"] = "application/json",
}

function M.contract_id()
  return string.format("BENCH-%07d", math.random(0, M.contracts - 1))
end

function M.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non_2xx":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end

return M
