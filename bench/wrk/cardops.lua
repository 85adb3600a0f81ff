-- wrk driver for the cardops benchmark. Usage (the runner writes the spec file):
--   wrk -t2 -c16 -d20s --latency -s bench/wrk/cardops.lua http://127.0.0.1:8801 -- /path/spec.lua
--
-- The spec is a Lua file returning { threads = n, items = { {type=…, weight=…, …}, … } }; each request
-- picks an item by weight. Item types:
--   get     GET one of `paths` (round-robin per thread) with `headers`
--   intake  POST a new request for a freshly made applicant (valid GB 11643 ID, unique per run)
--   check   POST a passing identity check on the pool `numbers` (each thread owns a slice), steps in turn
--   submit  POST submit, each pool number once (each thread owns a slice)
-- Every non-2xx answer counts as an error; the first few are kept as samples for the report. The X-SQL-Count
-- header of each answer (the app's statement counter, CARDOPS_COUNT_SQL=1) is summed for statements per request.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

local WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
local CHECK_CHARS = "10X98765432"

local function id_number(region, birth, seq)
  local first17 = region .. birth .. string.format("%03d", seq)
  local sum = 0
  for i = 1, 17 do
    sum = sum + tonumber(first17:sub(i, i)) * WEIGHTS[i]
  end
  local k = sum % 11
  return first17 .. CHECK_CHARS:sub(k + 1, k + 1)
end

local spec, items, total_weight
local counters = {}
local birth_base = os.time({year = 1950, month = 1, day = 1, hour = 12})

function init(args)
  spec = dofile(args[1])
  tid = tid or 1
  non2xx = 0
  samples = ""
  sample_count = 0
  exhausted = 0
  sql_total = 0
  sql_answers = 0
  items = spec.items
  total_weight = 0
  for i, item in ipairs(items) do
    total_weight = total_weight + (item.weight or 1)
    counters[i] = 0
  end
  math.randomseed(os.time() * 100 + tid)
end

local function pick()
  if #items == 1 then return 1 end
  local r = math.random() * total_weight
  for i, item in ipairs(items) do
    r = r - (item.weight or 1)
    if r <= 0 then return i end
  end
  return #items
end

local function slice_index(k, n)
  -- the k-th element (0-based) of this thread's slice of a list of n elements; nil when the slice is used up
  local index = k * spec.threads + tid
  if index > n then return nil end
  return index
end

local builders = {}

function builders.get(item, k)
  local path = item.paths[(k * spec.threads + tid - 1) % #item.paths + 1]
  return wrk.format("GET", path, item.headers)
end

function builders.intake(item, k)
  local region = string.format("9%03d%02d", item.nonce, tid)
  local birth = os.date("!%Y%m%d", birth_base + math.floor(k / 1000) * 86400)
  local applicant = id_number(region, birth, k % 1000)
  local name = item.names[math.random(#item.names)]
  local phone = string.format("139%08d", math.random(0, 99999999))
  local body = string.format(
    '{"kind":"%s","channel":"in_person","applicant":{"id_number":"%s","name":"%s","phone":"%s"}}',
    item.kinds[k % #item.kinds + 1], applicant, name, phone)
  local headers = {["Authorization"] = item.tokens[k % #item.tokens + 1], ["Content-Type"] = "application/json",
                   ["User-Agent"] = spec.user_agent}
  return wrk.format("POST", item.path, headers, body)
end

function builders.check(item, k)
  local n = #item.numbers
  local per_thread = math.floor((n - tid) / spec.threads) + 1
  local round = math.floor(k / per_thread)
  local index = slice_index(k % per_thread, n)
  local step = item.steps[round % #item.steps + 1]
  local score = ""
  if step == "face_match" then score = ',"score":' .. math.random(75, 99) end
  local body = string.format('{"step":"%s","result":"pass"%s}', step, score)
  return wrk.format("POST", "/api/v1/requests/" .. item.numbers[index] .. "/checks", item.headers, body)
end

function builders.submit(item, k)
  local index = slice_index(k, #item.numbers)
  if index == nil then
    exhausted = exhausted + 1
    index = (k % #item.numbers) + 1  -- the pool is used up: these answers will be 409s and count as errors
  end
  return wrk.format("POST", "/api/v1/requests/" .. item.numbers[index] .. "/submit", item.headers, "{}")
end

function request()
  local i = pick()
  local k = counters[i]
  counters[i] = k + 1
  local item = items[i]
  return builders[item.type](item, k)
end

function response(status, headers, body)
  local sql = headers["X-SQL-Count"]
  if sql then
    sql_total = sql_total + tonumber(sql)
    sql_answers = sql_answers + 1
  end
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if sample_count < 3 then
      sample_count = sample_count + 1
      local text = string.sub(body or "", 1, 160):gsub('[%c"\\]', " ")
      samples = samples .. status .. " " .. text .. " | "
    end
  end
end

function done(summary, latency, requests)
  local errors, exhausted_total, all_samples, sql, answers = 0, 0, "", 0, 0
  for _, thread in ipairs(threads) do
    errors = errors + (thread:get("non2xx") or 0)
    sql = sql + (thread:get("sql_total") or 0)
    answers = answers + (thread:get("sql_answers") or 0)
    exhausted_total = exhausted_total + (thread:get("exhausted") or 0)
    all_samples = all_samples .. (thread:get("samples") or "")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"non2xx":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"pool_exhausted":%d,"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,' ..
    '"p95":%d,"p99":%d,"max":%d},"sql_statements":%d,"sql_answers":%d,"samples":"%s"}\n',
    summary.requests, summary.duration, summary.bytes, errors, e.connect, e.read, e.write, e.timeout,
    exhausted_total, latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, sql, answers, all_samples))
end
