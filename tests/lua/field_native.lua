-- String-keyed field reads and writes in compiled code (GETFIELD,
-- SETFIELD, GETTABUP, SETTABUP): present keys, keys that collide in the
-- hash part, absent keys and nil values that go to __index/__newindex, a
-- hash part rebuilt while a loop uses it, globals, a replaced _ENV, and
-- values that are not tables.
local p = { x = 1, y = 2, z = 3 }
local s = 0
for i = 1, 100 do
  p.x = p.x + i
  s = s + p.y * p.z
end
print("point", p.x, p.y, p.z, s)

-- many keys: some share their first slot, found by the helper's probe
local t = {}
for i = 1, 200 do t["k" .. i] = i end
local sum = 0
for _ = 1, 3 do
  sum = sum + t.k1 + t.k50 + t.k199 + t.k200
  t.k7 = t.k7 + 1
end
print("many", sum, t.k7, t.k201)

-- absent and nil-valued keys: __index / __newindex decide
local log = {}
local base = { inherited = "from base" }
local obj = setmetatable({ own = "own" }, {
  __index = function(_, k) log[#log + 1] = "index " .. k; return base[k] end,
  __newindex = function(tt, k, v) log[#log + 1] = "newindex " .. k; rawset(tt, k, v) end,
})
for _ = 1, 2 do
  local a, b = obj.own, obj.inherited
  obj.own = "own2"
  obj.fresh = obj.fresh or "fresh"
  print(a, b, obj.fresh)
end
obj.own = nil
print(obj.own, rawget(obj, "own"))
obj.own = "back"
print(obj.own, table.concat(log, ", "))

-- the hash part is rebuilt (grows) while the loop reads and writes a field
local g = { count = 0 }
for i = 1, 300 do
  g.count = g.count + 1
  g["extra" .. i] = i
end
print("grown", g.count, g.extra300)

-- globals through _ENV
counter = 0
for i = 1, 1000 do counter = counter + i end
print("global", counter, undefined_global)
local function with_env()
  local _ENV = setmetatable({}, { __index = _G })
  total = 5
  for _ = 1, 10 do total = total + 1 end
  return total, rawget(_G, "total")
end
print("env", with_env())

-- not tables
local str = "abc"
print(str.len == string.len, #str, pcall(function() local n = 1; return n.field end))
print(pcall(function() local n = nil; n.field = 1 end))
