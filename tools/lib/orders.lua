-- wrk script for tools/bench orders: POST /v1/orders, each with a new order id and Idempotency-Key.
--   wrk ... -s orders.lua URL -- KEY RUN MODE
-- MODE spread: 1 to 3 lines from SKU-0001…SKU-0500; hot: one unit of the flash-sale SKU HOT-001 plus at most one
-- other line. Customers are drawn from 50,000 so per-customer limits do not decide the outcome. Prints one line
-- "RESULT {json}" with the status counts and latency percentiles (microseconds).
local threads = {}
local next_id = 0

function setup(thread)
    next_id = next_id + 1
    thread:set("tid", next_id)
    table.insert(threads, thread)
end

local key, run, mode
local counter = 0
statuses = {}

function init(args)
    key, run, mode = args[1], args[2], args[3]
    math.randomseed(os.time() * 100 + tid)
    wrk.method = "POST"
    wrk.headers["Authorization"] = "Bearer " .. key
    wrk.headers["Content-Type"] = "application/json"
end

local function sku(n)
    return string.format("SKU-%04d", n)
end

function request()
    counter = counter + 1
    local id = string.format("%s-%d-%d", run, tid, counter)
    local lines = {}
    if mode == "hot" then
        table.insert(lines, '{"sku":"HOT-001","quantity":1}')
        if math.random() < 0.5 then
            table.insert(lines, string.format('{"sku":"%s","quantity":1}', sku(math.random(1, 500))))
        end
    else
        local seen = {}
        for _ = 1, math.random(1, 3) do
            local n = math.random(1, 500)
            if not seen[n] then
                seen[n] = true
                table.insert(lines, string.format('{"sku":"%s","quantity":%d}', sku(n), math.random(1, 2)))
            end
        end
    end
    local body = string.format(
        '{"orderId":"%s","customerId":"b-%d","channel":"online","storeId":"s-mall","paymentMethod":"wechat","lines":[%s]}',
        id, math.random(1, 50000), table.concat(lines, ","))
    wrk.headers["Idempotency-Key"] = id
    return wrk.format(nil, "/v1/orders", nil, body)
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local counts = {}
    for _, thread in ipairs(threads) do
        for status, n in pairs(thread:get("statuses")) do
            counts[status] = (counts[status] or 0) + n
        end
    end
    local parts = {}
    for status, n in pairs(counts) do
        table.insert(parts, string.format('"%d":%d', status, n))
    end
    io.write(string.format(
        'RESULT {"durationUs":%d,"requests":%d,"socketErrors":%d,"statuses":{%s},' ..
        '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
        summary.duration, summary.requests,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        table.concat(parts, ","), latency:percentile(50), latency:percentile(90), latency:percentile(99),
        latency.max, latency.mean))
end
