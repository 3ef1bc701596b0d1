-- wrk script for `bench_load`: sends the GraphQL requests listed in a file and reports
-- throughput, latency percentiles and GraphQL errors as one line the benchmark reads.
--
--   wrk -t 2 -c 16 -d 20s -s bench/wrk/requests.lua http://127.0.0.1:PORT -- FILE THREADS
--
-- FILE holds one request per line: how the request says who asks ("-" for nobody,
-- "bearer:TOKEN" or "tenant:TENANT_ID" for PostGraphile's header), a tab, the JSON body.
-- Thread k of THREADS sends lines k, k + THREADS, k + 2 × THREADS, … in order: a write that
-- may be sent once (a contact attempt at its case's version, LOCK-1) is sent once while the
-- list lasts. Reads are listed in random order by the benchmark, so walking them is random.

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("place", count)
  table.insert(threads, thread)
end

local function formatted(line)
  local who, body = line:match("^([^\t]*)\t(.*)$")
  local headers = { ["Content-Type"] = "application/json" }
  local bearer = who:match("^bearer:(.*)$")
  local tenant = who:match("^tenant:(.*)$")
  if bearer then headers["Authorization"] = "Bearer " .. bearer end
  if tenant then headers["x-tenant-id"] = tenant end
  return wrk.format("POST", "/graphql", headers, body)
end

function init(args)
  local stride = tonumber(args[2])
  requests = {}
  local line_number = 0
  for line in io.lines(args[1]) do
    line_number = line_number + 1
    if (line_number - place) % stride == 0 then
      table.insert(requests, formatted(line))
    end
  end
  -- Fewer lines than threads (one request sent over and over): every thread sends them all.
  if #requests == 0 then
    for line in io.lines(args[1]) do
      table.insert(requests, formatted(line))
    end
  end
  next_request = 0
  errors = 0
end

function request()
  next_request = next_request + 1
  return requests[(next_request - 1) % #requests + 1]
end

-- A GraphQL error comes with status 200: an answer counts as an error when it is not a 200
-- or when its body carries "errors".
function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local graphql_errors = 0
  for _, thread in ipairs(threads) do
    graphql_errors = graphql_errors + thread:get("errors")
  end
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "concord-wrk requests=%d seconds=%.3f errors=%d p50=%.3f p95=%.3f p99=%.3f\n",
    summary.requests, summary.duration / 1e6, graphql_errors + failed,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
