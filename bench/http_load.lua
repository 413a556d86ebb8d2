-- wrk script for bench/http_load.py: counts responses other than 200 and prints one RESULT line.
-- GET mode (TASKS unset): every request is wrk's own (the URL and headers given on the command line).
-- Decide mode (TASKS = a file of task ids, one a line): POST /api/tasks/{id}/decide/, each id once;
-- wrk thread k of NTHREADS takes ids k, k + NTHREADS, … An id past the end of the file is "0",
-- which answers 404 and counts as an error: the run had too few open tasks.
local threads = {}
local count = 0

function setup(thread)
  thread:set("tid", count)
  count = count + 1
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  local file = os.getenv("TASKS")
  if file == nil or file == "" then
    return
  end
  ids = {}
  local n, mine, every = 0, tid, tonumber(os.getenv("NTHREADS"))
  for line in io.lines(file) do
    if n % every == mine then
      table.insert(ids, line)
    end
    n = n + 1
  end
  pos = 0
  wrk.method = "POST"
  wrk.body = os.getenv("BODY")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if ids == nil then
    return wrk.format()
  end
  pos = pos + 1
  return wrk.format(nil, "/api/tasks/" .. (ids[pos] or "0") .. "/decide/")
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  for _, t in ipairs(threads) do
    e = e + t:get("errors")
  end
  io.write(string.format("RESULT %d %.6f %d %.3f\n", summary.requests, summary.duration / 1e6, e,
    latency:percentile(95) / 1000))
end
