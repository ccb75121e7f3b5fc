-- Generic for loops (TFORPREP/TFORCALL/TFORLOOP) many times, so compiled
-- code runs them: pairs, ipairs, Lua and Rust iterator functions, __call
-- iterators, several results, break, errors raised by the iterator with
-- their tracebacks, and a to-be-closed fourth value.
local t = {}
for i = 1, 50 do t[i] = i * 3 end
t.x, t.y = "a", "b"

local function range(n)
  return function(_, i)
    if i < n then return i + 1, i * i end
  end, nil, 0
end

local callable = setmetatable({}, {__call = function(_, _, i)
  if i < 5 then return i + 1 end
end})

local total = 0
for round = 1, 30 do
  local s = 0
  for i, v in ipairs(t) do s = s + i * v end
  local keys = 0
  for k, v in pairs(t) do keys = keys + 1 end
  for i, sq in range(10) do s = s + sq end
  for i in callable, nil, 0 do s = s + i end
  for w in string.gmatch("one two three", "%a+") do s = s + #w end
  for i, v in ipairs(t) do
    if i > 10 then break end
    s = s - v
  end
  total = total + s + keys
end
print(total)

local log = {}
do
  local closing = setmetatable({}, {__close = function() log[#log + 1] = "closed" end})
  for i in range(3), nil, 0, closing do log[#log + 1] = i end
end
print(table.concat(log, " "))

local function bad_iter(_, i)
  if i >= 3 then error("iterator failed at " .. i) end
  return i + 1
end
for round = 1, 3 do
  print(pcall(function()
    local n = 0
    for i in bad_iter, nil, 0 do n = n + i end
    return n
  end))
end
print(select(2, xpcall(function() for _ in bad_iter, nil, 0 do end end, debug.traceback)))
print(pcall(function() for _ in 42 do end end))
