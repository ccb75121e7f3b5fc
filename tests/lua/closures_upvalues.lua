-- Closures and upvalues (§3.5): closures share upvalues; each loop iteration creates
-- a fresh local; upvalues stay alive after the enclosing function returns.
local function counter()
  local n = 0
  return function() n = n + 1; return n end, function() return n end
end
local inc, get = counter()
inc(); inc()
print(get(), inc(), get())
local inc2, get2 = counter()
print(inc2(), get(), get2())
-- shared upvalue between sibling closures, modified by the enclosing function too
local function shared()
  local v = 1
  local function set(x) v = x end
  local function read() return v end
  v = 10
  return set, read
end
local set, read = shared()
print(read())
set(42)
print(read())
-- fresh closure per iteration (numeric for, generic for, while with local)
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
print(fs[1](), fs[2](), fs[3]())
local gs = {}
for _, v in ipairs({ "a", "b", "c" }) do gs[#gs + 1] = function() return v end end
print(gs[1](), gs[2](), gs[3]())
local hs = {}
local j = 0
while j < 3 do
  j = j + 1
  local captured = j
  hs[j] = function() captured = captured * 10; return captured end
end
print(hs[1](), hs[1](), hs[2](), hs[3]())
-- closures capturing the same loop local share it within an iteration
local pairs_ = {}
for i = 1, 2 do
  local x = i
  pairs_[i] = { function() x = x + 1 end, function() return x end }
end
pairs_[1][1](); pairs_[1][1]()
print(pairs_[1][2](), pairs_[2][2]())
-- deep nesting: upvalue of upvalue
local function level1()
  local a = "a"
  return function()
    local b = "b"
    return function()
      local c = "c"
      return function() a = a .. "!"; return a .. b .. c end
    end
  end
end
local l4 = level1()()()
print(l4(), l4())
-- upvalue captured before assignment and after
local late
local function uses_late() return late end
late = "assigned later"
print(uses_late())
-- recursion through a local function's own upvalue
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
print(fact(20))
-- closures in a repeat loop see the per-iteration local
local rs = {}
local k = 0
repeat
  k = k + 1
  local kk = k * 2
  rs[k] = function() return kk end
until kk >= 6
print(#rs, rs[1](), rs[3]())
-- closing upvalues when a block exits via break
local bs = {}
for i = 1, 10 do
  local v = i * i
  bs[#bs + 1] = function() return v end
  if i == 3 then break end
end
print(bs[1](), bs[2](), bs[3]())
-- many closures over one variable
local total = 0
local adders = {}
for i = 1, 100 do adders[i] = function() total = total + i end end
for i = 1, 100 do adders[i]() end
print(total)
-- closures with different upvalues are different values
local function make(v) return function() return v end end
local m1, m2 = make(1), make(2)
print(m1 == m2, m1 == m1, m1(), m2())
