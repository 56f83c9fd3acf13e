-- wrk script: POST new orders (real baskets) for members from the merchant
-- back end, and count those acknowledged with 201, so the bench can check
-- afterwards that every acknowledged order is stored.
-- Usage: wrk -s tests/bench/orders.lua URL -- DATA.lua ID_PREFIX
package.path = "tests/bench/?.lua;" .. package.path

local data, prefix
local sent = 0
-- A global: the bench reads it from each thread when the run ends.
acked = 0
local threads = {}

function setup(thread)
  thread:set("number", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  data = dofile(args[1])
  prefix = args[2] .. number .. "-"
end

function request()
  sent = sent + 1
  local member = data.members[sent % #data.members + 1]
  local basket = data.baskets[sent % #data.baskets + 1]
  local body = string.format('{"id":"%s%d","customer":"%s","total":%d,"currency":"SEK","items":%s}',
    prefix, sent, member[1], basket[1], basket[2])
  return wrk.format("POST", "/v1/shops/" .. data.shop .. "/orders", {
    ["Authorization"] = "Bearer " .. data.secret,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status)
  if status == 201 then acked = acked + 1 end
end

local report = require("report")

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("acked") end
  report.done(summary, latency, requests, { acked = total })
end
