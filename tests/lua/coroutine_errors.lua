-- Coroutine error cases (§6.2).
local co = coroutine.create(function() return 1 end)
print(coroutine.resume(co))
print(coroutine.resume(co))
-- resume a running coroutine (itself)
local selfco
selfco = coroutine.create(function() return coroutine.resume(selfco) end)
print(coroutine.resume(selfco))
-- resume a normal coroutine (one that resumed the current one)
local a, b
a = coroutine.create(function() return coroutine.resume(b) end)
b = coroutine.create(function() return coroutine.resume(a) end)
print(coroutine.resume(a))
-- yield outside a coroutine
print(pcall(coroutine.yield, 1))
print(pcall(function() coroutine.yield() end))
-- errors inside a coroutine are returned by resume with position info
local e1 = coroutine.create(function() local x = nil; return x + 1 end)
print(coroutine.resume(e1))
-- error values other than strings
local e2 = coroutine.create(function() error(42) end)
print(coroutine.resume(e2))
local e3 = coroutine.create(function() error() end)
print(coroutine.resume(e3))
-- error after yields
local e4 = coroutine.create(function() coroutine.yield(1); coroutine.yield(2); error("third", 0) end)
print(coroutine.resume(e4))
print(coroutine.resume(e4))
print(coroutine.resume(e4))
print(coroutine.status(e4), coroutine.resume(e4))
-- resume with a non-coroutine
print(pcall(coroutine.resume, 1))
print(pcall(coroutine.resume))
-- wrap: errors propagate through the caller
local w = coroutine.wrap(function() error("in wrap") end)
local ok, msg = pcall(w)
print(ok, msg)
-- an error in a nested coroutine does not kill the outer one
local outer = coroutine.create(function()
  local inner = coroutine.create(function() error("inner failed", 0) end)
  local r1, r2 = coroutine.resume(inner)
  coroutine.yield(r1, r2)
  return "outer alive"
end)
print(coroutine.resume(outer))
print(coroutine.resume(outer))
-- stack overflow inside a coroutine is reported as an error by resume
local so = coroutine.create(function()
  local function rec(n) return 1 + rec(n + 1) end
  return rec(1)
end)
local ok2, err2 = coroutine.resume(so)
print(ok2, type(err2) == "string" and err2:find("stack overflow", 1, true) ~= nil)
-- a coroutine's error does not close the main program; continue to use others
local fine = coroutine.wrap(function() return "still works" end)
print(fine())
-- wrap of dead coroutine error message has the caller position
local dw = coroutine.wrap(function() end)
dw()
print(pcall(function() dw() end))
