-- RETURN with upvalues to close and CLOSE, compiled: closures made in a
-- loop see their own copies; to-be-closed variables run __close in order,
-- also when the block ends by break, and an error in __close propagates.
local function make(n)
  local fs = {}
  for i = 1, n do
    local x = i * 10
    fs[i] = function(d) x = x + d; return x end
    if i == 3 then break end
  end
  return fs
end
local fs = make(5)
print(#fs, fs[1](1), fs[2](2), fs[3](3), fs[1](1))

local function cell(v)
  local function get() return v end
  local function set(nv) v = nv end
  return get, set
end
local total = 0
for i = 1, 200 do
  local get, set = cell(i)
  set(get() + 1)
  total = total + get()
end
print("cells", total)

local log = {}
local function closer(name)
  return setmetatable({}, { __close = function(_, err) log[#log + 1] = name .. ":" .. tostring(err) end })
end
local function scoped(n)
  local a <close> = closer("a" .. n)
  do
    local b <close> = closer("b" .. n)
    if n > 1 then return n * 2, "early" end
  end
  return n
end
for i = 1, 3 do print("scoped", scoped(i)) end
print(table.concat(log, " "))

local function failing()
  local c <close> = setmetatable({}, { __close = function() error("close failed") end })
  return 1
end
for _ = 1, 2 do print(pcall(failing)) end

-- many iterations so the JIT's default policy compiles and enters these
local function counter()
  local c = 0
  return function() c = c + 1; return c end
end
local s = 0
for i = 1, 3000 do
  local f = counter()
  f()
  s = s + f()
end
print("counters", s)
