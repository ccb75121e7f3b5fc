-- Arithmetic metamethods (§2.4): __add __sub __mul __div __mod __pow __unm __idiv.
-- The first operand's metamethod wins; else the second's.
local V = {}
V.__index = V
local function vec(x, y) return setmetatable({ x = x, y = y }, V) end
local function s(v) return type(v) == "table" and ("(" .. v.x .. "," .. v.y .. ")") or tostring(v) end
V.__add = function(a, b)
  if type(a) == "number" then return vec(a + b.x, a + b.y) end
  if type(b) == "number" then return vec(a.x + b, a.y + b) end
  return vec(a.x + b.x, a.y + b.y)
end
V.__sub = function(a, b) return vec(a.x - b.x, a.y - b.y) end
V.__mul = function(a, b)
  if type(a) == "number" then a, b = b, a end
  if type(b) == "number" then return vec(a.x * b, a.y * b) end
  return a.x * b.x + a.y * b.y
end
V.__div = function(a, b) return vec(a.x / b, a.y / b) end
V.__mod = function(a, b) return vec(a.x % b, a.y % b) end
V.__pow = function(a, b) return "pow(" .. s(a) .. "," .. s(b) .. ")" end
V.__unm = function(a, b) return vec(-a.x, -a.y), rawequal(a, b) end
V.__idiv = function(a, b) return vec(a.x // b, a.y // b) end
local a, b = vec(1, 2), vec(10, 20)
print(s(a + b), s(b - a), a * b, s(a * 3), s(3 * a), s(a + 1), s(1 + a))
print(s(b / 4), s(b % 3), s(b // 3), a ^ 2, 2 ^ a, s(-a))
-- __unm receives the operand twice
print(select(2, V.__unm(a, a)))
-- which metamethod is chosen
local L = setmetatable({}, { __add = function() return "left" end })
local R = setmetatable({}, { __add = function() return "right" end })
print(L + R, R + L, L + 1, 1 + R, "x" + L)
-- only one result is kept
local M = setmetatable({}, { __add = function() return 1, 2, 3 end })
print(M + M)
-- string operand with a numeric value still goes to the table's metamethod
print(pcall(function() return "10" + {} end))
-- the metamethod may be any callable
local callable = setmetatable({}, { __call = function(self, x, y) return "called" end })
local C = setmetatable({}, { __sub = callable })
print(pcall(function() return C - 1 end))
-- errors when no metamethod
print(pcall(function() return {} + 1 end))
print(pcall(function() local t = {}; return t * 2 end))
print(pcall(function() local t = { f = {} }; return -t.f end))
print(pcall(function() return 1 % {} end))
-- metamethods looked up raw in the metatable (__index on the metatable is ignored)
local mtmt = setmetatable({}, { __index = { __add = function() return "via index" end } })
print(pcall(function() return setmetatable({}, mtmt) + 1 end))
-- arithmetic metamethods are not used for plain numbers or numeric strings
print(1 + 2, "1" + 2)
