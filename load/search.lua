-- wrk script for GET /user/search: random (first-name, last-name) prefix pairs from the CSV
-- that bin/seed writes. Environment: PREFIXES (the CSV), PAIRS (use the first N lines; the
-- benchmark gives pgbench the same N pairs). Prints one RESULT line for bin/bench-search.
-- WRK_PATH instead: every request is GET of that one path (bin/bench-search's floor: a request
-- that touches no database, to see what the HTTP stack alone costs).
local file = os.getenv("PREFIXES") or ".load/prefixes.csv"
local limit = tonumber(os.getenv("PAIRS") or "100")
local fixed = os.getenv("WRK_PATH")
local paths = {}

local function urlencode(s)
	return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

if fixed and fixed ~= "" then
	paths[1] = fixed
else
	for line in io.lines(file) do
		local first, last = line:match("^([^,]*),(.*)$")
		if first then
			paths[#paths + 1] = "/user/search?first_name=" .. urlencode(first) .. "&last_name=" .. urlencode(last)
		end
		if #paths >= limit then break end
	end
end
assert(#paths > 0, "no prefix pairs in " .. file)

local counter = 0
function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

function init()
	-- Each wrk thread has its own Lua state; different seeds, different sequences.
	math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
	return wrk.format("GET", paths[math.random(#paths)])
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"RESULT requests=%d seconds=%.2f rps=%.1f mean_ms=%.2f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
		summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
		latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000,
		e.connect + e.read + e.write + e.status + e.timeout, e.connect, e.read, e.write, e.status, e.timeout))
end
