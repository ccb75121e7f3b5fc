-- __index and __newindex (§2.4): tables and functions, chains, rawget/rawset bypass.
local base = { greet = "hello", n = 1 }
local derived = setmetatable({}, { __index = base })
print(derived.greet, derived.n, derived.missing, rawget(derived, "greet"))
-- chain of three
local c = setmetatable({}, { __index = derived })
print(c.greet)
base.greet = "changed"
print(c.greet)
-- function __index receives the table and the key
local log = {}
local f = setmetatable({ present = 1 }, { __index = function(t, k)
  log[#log + 1] = tostring(k)
  return k == "computed" and 42 or nil
end })
print(f.present, f.computed, f.other, f[1], table.concat(log, ","))
-- __index is not consulted for existing keys, even if the value is false
local fl = setmetatable({ x = false }, { __index = function() return "meta" end })
print(fl.x, fl.y)
-- __newindex table: assignment goes to the other table
local store = {}
local p = setmetatable({}, { __newindex = store })
p.a = 1
print(rawget(p, "a"), store.a)
-- __newindex function
local writes = {}
local q = setmetatable({}, { __newindex = function(t, k, v)
  writes[#writes + 1] = k .. "=" .. tostring(v)
  rawset(t, k, v * 2)
end })
q.x = 5
q.x = 7 -- existing key: no metamethod
q.y = 1
print(q.x, q.y, table.concat(writes, " "))
-- __newindex chain into a table with its own __newindex
local final = {}
local mid = setmetatable({}, { __newindex = final })
local top = setmetatable({}, { __newindex = mid })
top.k = "v"
print(rawget(top, "k"), rawget(mid, "k"), final.k)
-- read-only table
local function readonly(t)
  return setmetatable({}, { __index = t, __newindex = function(_, k)
    error("attempt to update a read-only table (key " .. tostring(k) .. ")", 2)
  end })
end
local ro = readonly({ 1, 2, 3 })
print(ro[2], pcall(function() ro[1] = 10 end))
-- default values
local defaults = setmetatable({}, { __index = function() return 0 end })
defaults.a = defaults.a + 1
defaults.a = defaults.a + 1
print(defaults.a, defaults.b)
-- __index on non-table values through debug.setmetatable is out of scope; strings:
print(("abc").len == string.len, ("abc"):len())
-- indexing non-tables
print(pcall(function() local n = 5; return n.x end))
print(pcall(function() local b = true; b.x = 1 end))
print(pcall(function() return undefined.x end))
print(pcall(function() local t = {}; return t.a.b end))
print(pcall(function() local t = {}; t.a.b = 1 end))
-- rawset/rawget
local r = setmetatable({}, { __index = function() return "meta" end, __newindex = function() error("no") end })
rawset(r, "k", "raw")
print(r.k, rawget(r, "other"), r.other)
-- __index cached in metatable changes are seen immediately
local mt = {}
local obj = setmetatable({}, mt)
print(obj.z)
mt.__index = { z = "late" }
print(obj.z)
mt.__index = nil
print(obj.z)
-- keys reach __index as written: 4.0 stays a float (no normalization)
local arr = setmetatable({}, { __index = function(_, i) return i * i end })
print(arr[3], arr[4.0], arr[-2])
