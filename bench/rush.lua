-- wrk script: each request registers a new person; counts what the site answered.
-- Set by the caller: PATH, TOKEN (CSRF), PRICE (price option id) and RUN (a tag new to
-- every wrk run: the per-address limit lives in Redis, which outlives the database)
-- through wrk's args.
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  path, token, price, run = args[1], args[2], args[3], args[4]
  sent, held, full, other, server_errors = 0, 0, 0, 0, 0
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Cookie"] = "csrftoken=" .. token
  wrk.headers["Referer"] = "http://127.0.0.1" .. path
end

function request()
  sent = sent + 1
  local email = "rush" .. run .. "-" .. id .. "-" .. sent .. "%40example.com"
  local body = "csrfmiddlewaretoken=" .. token .. "&name=Rush+Person&email=" .. email ..
    "&price_option=" .. price .. "&agree=on"
  return wrk.format("POST", path, nil, body)
end

function response(status, headers, body)
  if status == 303 then
    held = held + 1
  elseif status >= 500 then
    server_errors = server_errors + 1
  elseif body:find("Every seat", 1, true) then
    full = full + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local totals = {held = 0, full = 0, other = 0, server_errors = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + thread:get(key)
    end
  end
  io.write(string.format("held %d\nfull %d\nother %d\nserver_errors %d\n",
    totals.held, totals.full, totals.other, totals.server_errors))
  io.write(string.format("p50_us %d\np95_us %d\n", latency:percentile(50), latency:percentile(95)))
  io.write(string.format("socket_errors %d\n", summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
