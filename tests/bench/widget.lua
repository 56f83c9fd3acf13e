-- wrk script: GET the widget as signed-in members, one after another over
-- a sample spread across all members (`bench_data grow --lua` writes it).
-- Usage: wrk -s tests/bench/widget.lua URL -- DATA.lua
package.path = "tests/bench/?.lua;" .. package.path

local data
local next_member = 0

function init(args)
  data = dofile(args[1])
  -- Threads start at different members so they do not read in lockstep.
  next_member = math.random(#data.members)
end

function request()
  next_member = next_member % #data.members + 1
  local m = data.members[next_member]
  return wrk.format("GET", "/v1/shops/" .. data.shop .. "/widget", {
    ["X-Lojal-Customer"] = m[1],
    ["X-Lojal-Ts"] = m[2],
    ["X-Lojal-Sig"] = m[3],
  })
end

done = require("report").done
