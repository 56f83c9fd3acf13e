-- wrk script: GET the widget as signed-in members, where one view in ten
-- is a member's first of the day (a member not seen before in the run,
-- whose picks shown are then recorded) and the rest are regulars' views
-- again. Data: `tests/bench/first-views-data.py` writes it.
-- Usage: wrk -s tests/bench/widget-first-views.lua URL -- DATA.lua
package.path = "tests/bench/?.lua;" .. package.path

local data
local next_newcomer = 0
local requests = 0

function init(args)
  data = dofile(args[1])
  -- Threads start far apart in the newcomers, so each is new once.
  next_newcomer = math.random(#data.newcomers)
end

local function signed(m)
  return wrk.format("GET", "/v1/shops/" .. data.shop .. "/widget", {
    ["X-Lojal-Customer"] = m[1],
    ["X-Lojal-Ts"] = m[2],
    ["X-Lojal-Sig"] = m[3],
  })
end

function request()
  requests = requests + 1
  if requests % 10 == 0 then
    next_newcomer = next_newcomer % #data.newcomers + 1
    return signed(data.newcomers[next_newcomer])
  end
  return signed(data.regulars[math.random(#data.regulars)])
end

done = require("report").done
