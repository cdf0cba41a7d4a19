-- wrk script of bench/bench_orders.py: POST /api/v1/orders with a distinct Idempotency-Key per
-- request, HOTLINE_BENCH_ORDERS requests in all (split between wrk's threads), then print the
-- status counts and latency percentiles for the Python side to read.
local token = os.getenv("HOTLINE_TOKEN")
local total = tonumber(os.getenv("HOTLINE_BENCH_ORDERS") or "20000")
local nthreads = tonumber(os.getenv("HOTLINE_BENCH_THREADS") or "2")
local towns = {"440902101", "440902102", "440902103", "440902104", "440902105"}
local counter = 0
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
  limit = math.floor(total / nthreads) + ((tid < total % nthreads) and 1 or 0)
end
function request()
  counter = counter + 1
  if counter > limit then
    wrk.thread:stop()
  end
  local key = "wrk-" .. tid .. "-" .. counter
  local town = towns[(counter % #towns) + 1]
  local body = '{"channel":"phone","description":"封控在家，家里没有米了，想问怎么买到生活物资。' .. key ..
    '","caller_name":"张三","caller_phone":"13812341234","address":"","appeal_type":"help",' ..
    '"category":"supplies","urgency":"normal","vulnerable":[],"district_code":"' ..
    string.sub(town, 1, 6) .. '","town_code":"' .. town .. '"}'
  return wrk.format("POST", "/api/v1/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
  }, body)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do all[k] = (all[k] or 0) + v end
  end
  for k, v in pairs(all) do io.write(string.format("STATUS %d %d\n", k, v)) end
  io.write(string.format("P50 %.3f\nP99 %.3f\nREQS %d\nSECS %.3f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.duration / 1e6))
end
