-- __call, __concat, __len, __unm (§2.4).
local counter = setmetatable({ n = 0 }, { __call = function(self, inc, ...)
  self.n = self.n + (inc or 1)
  return self.n, select("#", ...)
end })
print(counter(), counter(5), counter(1, nil, nil), counter.n)
-- __call with method syntax and as a value passed around
local obj = setmetatable({}, { __call = function(self, a, b) return a .. "|" .. b end })
local function apply(f, ...) return f(...) end
print(apply(obj, "x", "y"), pcall(obj, "p", "q"))
-- __call chains: a callable whose __call is itself a callable table
local inner = setmetatable({}, { __call = function(self, a, b, c)
  return type(a), type(b), c
end })
local outer = setmetatable({}, { __call = inner })
print(outer("arg"))
-- tail call through __call
local function tail(x) return obj(x, "tail") end
print(tail("head"))
-- __call in a generic for iterator position
local iter = setmetatable({ i = 0 }, { __call = function(self)
  self.i = self.i + 1
  if self.i <= 3 then return self.i end
end })
for v in iter do io.write(v, " ") end
print()
-- __concat
local C = {}
C.__concat = function(a, b)
  local function s(v) return type(v) == "table" and ("<" .. v.s .. ">") or tostring(v) end
  return setmetatable({ s = s(a) .. s(b) }, C)
end
local c1, c2 = setmetatable({ s = "1" }, C), setmetatable({ s = "2" }, C)
print((c1 .. c2).s, (c1 .. "x").s, ("x" .. c1).s, (1 .. c1).s, (c1 .. 2.5).s)
print(("a" .. "b" .. c1 .. "c").s)
print((c1 .. true).s, (nil .. c1).s)
-- __len
local L = setmetatable({ 1, 2, 3 }, { __len = function(t) return rawlen(t) * 10 end })
print(#L, rawlen(L))
local L2 = setmetatable({}, { __len = function() return nil end })
print(#L2)
-- __unm
local U = setmetatable({ v = 3 }, { __unm = function(t) return -t.v * 100 end })
print(-U, - -U == nil)
print(pcall(function() return - -U end))
-- calling non-callables
print(pcall(function() local t = {}; t() end))
print(pcall(function() local t = setmetatable({}, { __call = 5 }); t() end))
print(pcall(function() local t = { m = {} }; t.m() end))
print(pcall(function() local t = {}; t:nomethod() end))
print(pcall(function() ("x")() end))
