-- What both wrk scripts print when a run ends: one JSON line the bench
-- command reads (requests per second, latency percentiles in microseconds,
-- errors and non-2xx answers).
local report = {}

function report.done(summary, latency, requests, extra)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  local fields = {
    string.format('"requests":%d', summary.requests),
    string.format('"seconds":%.3f', seconds),
    string.format('"rps":%.1f', summary.requests / seconds),
    string.format('"p50_us":%d', latency:percentile(50)),
    string.format('"p99_us":%d', latency:percentile(99)),
    string.format('"max_us":%d', latency.max),
    string.format('"errors":%d', errors),
    string.format('"non_2xx":%d', summary.errors.status),
  }
  for key, value in pairs(extra or {}) do
    table.insert(fields, string.format('"%s":%d', key, value))
  end
  io.write("LOJAL-BENCH {" .. table.concat(fields, ",") .. "}\n")
end

return report
