-- wrk script for the sandbox bench (bench/run.mjs): sends pre-signed unified_order requests, each
-- once and in order, from the file given after `--` (one request target per line; every request is
-- an empty POST), and counts the answers that start with {"ret":0,.
-- wrk runs for a fixed time (-d), so the requests still in flight when it stops may have been
-- stored without their answer being read: done() lists the sent targets whose answer never came
-- (by the out_trade_no in each answer), and the bench sends those again (a retry of an unpaid
-- order is answered with the same order) so that the store check counts every order exactly once.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  targetsFile = args[1]
  targets = {}
  for line in io.lines(targetsFile) do
    targets[#targets + 1] = line
  end
  sent = 0
  ok = 0
  answered = {}
  exhausted = 0
end

function request()
  -- wrk calls request() once before the run, to check that the script makes valid requests, and
  -- never sends that one: it must not use up a target. (The bench runs one wrk thread: -t1.)
  if not probed then
    probed = true
    return wrk.format("POST", targets[1], nil, "")
  end
  sent = sent + 1
  if sent > #targets then
    -- The bench gives more targets than wrk can send in its time; if not, say so (no order here).
    exhausted = exhausted + 1
    return wrk.format("GET", "/_sandbox/bench-exhausted")
  end
  return wrk.format("POST", targets[sent], nil, "")
end

function response(status, headers, body)
  if string.sub(body, 1, 9) == '{"ret":0,' then
    ok = ok + 1
  end
  local no = string.match(body, '"out_trade_no":"([^"]*)"')
  if no then
    answered[no] = true
  end
end

function done(summary, latency, requests)
  local t = threads[1]
  local all = {}
  for line in io.lines(t:get("targetsFile")) do
    all[#all + 1] = line
  end
  local answeredSet = t:get("answered")
  local sentCount = math.min(t:get("sent"), #all)
  local unanswered = {}
  for i = 1, sentCount do
    local no = string.match(all[i], "out_trade_no=([^&]*)")
    if not answeredSet[no] then
      unanswered[#unanswered + 1] = i - 1
    end
  end
  local e = summary.errors
  io.write(string.format('TACPAY-BENCH {"ok":%d,"sent":%d,"answers":%d,"exhausted":%d,"errors":%d,"us":%d,"p50":%d,"p99":%d,"unanswered":[%s]}\n',
    t:get("ok"), sentCount, summary.requests, t:get("exhausted"), e.connect + e.read + e.write + e.status + e.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99), table.concat(unanswered, ",")))
end
