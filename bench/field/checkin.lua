-- wrk script: each request admits one called-forward case at the gate with its own pass, as a
-- gate page does online. Reads the passes file `airbridge call-forward --passes-out` wrote
-- (case,pass,code,members); thread k of n takes passes k, k+n, k+2n… so no pass is used twice.
-- The first round through a thread's passes admits each family, the second marks it processed
-- (both are check-ins at the gate); a third round would be refused (409, already used): size
-- the pool above rate × duration / 2.

local passes = {}
local next_index = 1
local thread_id = 0
local threads = 1
local token = os.getenv("TOKEN") or ""
local gate = os.getenv("GATE") or "Abbey Gate"
local counter = 0
local round = 0

function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end

function init(args)
  threads = tonumber(os.getenv("THREADS") or "1")
  local file = assert(io.open(os.getenv("PASSES") or "passes.csv", "r"))
  file:read("*l")
  local i = 0
  for line in file:lines() do
    local case, pass, code, members = line:match("^([^,]*),([^,]*),([^,]*),(.*)$")
    if code and (i % threads) == thread_id then
      local list = {}
      for m in members:gmatch("%d+") do list[#list + 1] = m end
      passes[#passes + 1] = { code = code, members = table.concat(list, ",") }
    end
    i = i + 1
  end
  file:close()
end

function request()
  local p = passes[next_index]
  next_index = next_index + 1
  if next_index > #passes then
    next_index = 1
    round = round + 1
  end
  local action = (round == 0) and "admit" or "process"
  local body = string.format(
    '{"code":"%s","op_id":"bench-%d-%d-%d","at_ms":%d,"action":"%s","members":[%s],"offline":false}',
    p.code, thread_id, next_index, math.random(1, 2147483647), os.time() * 1000, action, p.members)
  return wrk.format("POST", "/api/gate/check-in", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
