-- wrk script of bench/bench_orders.py: POST /api/v1/orders with a distinct Idempotency-Key per
-- request, HOTLINE_BENCH_ORDERS requests in all (split between wrk's threads), then print the
-- status counts and latency percentiles for the Python side to read.
--
-- wrk 4.1 has no request limit, and its main thread sleeps for the whole -d duration whatever
-- the threads do. So each thread sends exactly its share; a connection that would send more
-- sends nothing (an empty request: it just waits), and when the thread has all its responses
-- it stops and creates the file <HOTLINE_BENCH_DONE_DIR>/<thread>. The Python side waits for
-- every thread's file, times the run itself, and interrupts wrk (SIGINT), which then prints.
-- Before the run wrk calls request() once on thread 0 to count pipelined requests
-- (script_verify_request); that request is never sent, so it is not counted.
local token = os.getenv("HOTLINE_TOKEN")
local total = tonumber(os.getenv("HOTLINE_BENCH_ORDERS") or "20000")
local nthreads = tonumber(os.getenv("HOTLINE_BENCH_THREADS") or "2")
local prefix = os.getenv("HOTLINE_BENCH_KEY_PREFIX") or "wrk"
local done_dir = os.getenv("HOTLINE_BENCH_DONE_DIR")
local towns = {"440902101", "440902102", "440902103", "440902104", "440902105"}
local threads = {}
local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end
function init(args)
  statuses = {}
  sent = 0
  received = 0
  verified = tid ~= 0
  limit = math.floor(total / nthreads) + ((tid < total % nthreads) and 1 or 0)
end
local function order(n)
  local key = prefix .. "-" .. tid .. "-" .. n
  local town = towns[(n % #towns) + 1]
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
function request()
  if not verified then
    verified = true
    return order(0)
  end
  if sent >= limit then
    return ""
  end
  sent = sent + 1
  return order(sent)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  received = received + 1
  if received == limit then
    if done_dir then
      io.open(done_dir .. "/" .. tid, "w"):close()
    end
    wrk.thread:stop()
  end
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
