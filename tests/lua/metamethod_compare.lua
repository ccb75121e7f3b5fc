-- __eq, __lt, __le (§2.4). Results are converted to booleans; __eq only for two tables
-- (or two full userdata) that are not rawequal.
-- Not pinned here: `a <= b` with only __lt. The manual says 5.4 dropped the emulation
-- `not (b < a)`, but lua5.4 built with LUA_COMPAT_5_3 (the default Makefile, Debian)
-- still does it.
local calls = {}
local E = { __eq = function(a, b) calls[#calls + 1] = "eq"; return a.id == b.id end }
local a = setmetatable({ id = 1 }, E)
local b = setmetatable({ id = 1 }, E)
local c = setmetatable({ id = 2 }, E)
print(a == b, a ~= b, a == c, a ~= c, #calls)
-- identical objects: __eq is not called
calls = {}
print(a == a, #calls)
-- __eq on only one operand is enough (first operand tried first, then second)
local plain = { id = 1 }
print(a == plain, plain == a)
-- not called for different types
print(a == 1, a == "x", a == nil)
-- result converted to boolean
local T = { __eq = function() return "truthy" end }
print(setmetatable({}, T) == setmetatable({}, T))
local Fz = { __eq = function() return nil end }
print(setmetatable({}, Fz) == setmetatable({}, Fz), setmetatable({}, Fz) ~= setmetatable({}, Fz))
-- __lt and __le
local Ord = {}
Ord.__lt = function(x, y) return x.v < y.v end
Ord.__le = function(x, y) return x.v <= y.v end
local function o(v) return setmetatable({ v = v }, Ord) end
local one, two = o(1), o(2)
print(one < two, one > two, one <= two, one >= two, two <= two, two >= one)
-- mixed with numbers: the metamethod handles the number
local Num = {
  __lt = function(x, y)
    local function n(v) return type(v) == "table" and v.v or v end
    return n(x) < n(y)
  end,
}
local five = setmetatable({ v = 5 }, Num)
print(five < 10, 3 < five, five > 4, 10 < five)
-- a > b is b < a: order of arguments
local order = {}
local Rec = { __lt = function(x, y) order[#order + 1] = x.n .. "<" .. y.n; return true end,
              __le = function(x, y) order[#order + 1] = x.n .. "<=" .. y.n; return false end }
local p = setmetatable({ n = "p" }, Rec)
local q = setmetatable({ n = "q" }, Rec)
print(p < q, p > q, p <= q, p >= q, table.concat(order, " "))
-- truthiness conversion for __lt
local Weird = { __lt = function() return 0 end, __le = function() return false end }
print(setmetatable({}, Weird) < setmetatable({}, Weird), setmetatable({}, Weird) <= {})
-- sorting with __lt
local list = { o(5), o(3), o(9), o(1), o(7) }
table.sort(list)
local out = {}
for i, v in ipairs(list) do out[i] = v.v end
print(table.concat(out, " "))
-- errors
print(pcall(function() return {} < {} end))
print(pcall(function() return setmetatable({}, E) < 1 end))
print(pcall(function() return {} <= 1 end))
-- __eq between a table and a userdata-like value of another type is never called
print(setmetatable({}, { __eq = function() return true end }) == print)
