-- coroutine.wrap and coroutine.status in every state.
local co
co = coroutine.create(function()
  print("inside", coroutine.status(co))
  coroutine.yield()
end)
print(coroutine.status(co))
coroutine.resume(co)
print(coroutine.status(co))
coroutine.resume(co)
print(coroutine.status(co))
-- dead by error
local bad = coroutine.create(function() error("boom") end)
print(coroutine.resume(bad))
print(coroutine.status(bad))
-- wrap propagates errors with position information
local w = coroutine.wrap(function() error("wrapped boom") end)
print(pcall(w))
local w2 = coroutine.wrap(function() error({ code = 1 }) end)
local ok, e = pcall(w2)
print(ok, type(e), e.code)
-- calling a dead wrap
local w3 = coroutine.wrap(function() return 1 end)
print(w3())
print(pcall(w3))
-- wrap passes arguments and returns yields
local echo = coroutine.wrap(function(...)
  local args = { ... }
  while true do
    args = { coroutine.yield(table.unpack(args)) }
  end
end)
print(echo(1, 2))
print(echo("a", nil, "c"))
print(echo())
-- wrap is a function
print(type(w3), type(co))
-- status errors
print(pcall(coroutine.status, nil))
print(pcall(coroutine.status, {}))
-- coroutine.wrap needs a function
print(pcall(coroutine.wrap, 1))
print(pcall(coroutine.create, "f"))
-- the error from a wrapped coroutine keeps its original position
local w4 = coroutine.wrap(function()
  local t = nil
  return t.x
end)
print(pcall(w4))
-- status of the main "thread" from inside a coroutine
local mainco = coroutine.running()
local st = coroutine.wrap(function() return coroutine.status(mainco) end)
print(st())
-- isyieldable inside wrap
print(coroutine.wrap(function() return coroutine.isyieldable() end)())
-- coroutine.running returns the same thread object that create returned
local self_co
self_co = coroutine.create(function() return coroutine.running() == self_co end)
print(coroutine.resume(self_co))
-- resume from inside a wrap of the wrap itself: cannot resume non-suspended
local selfw
selfw = coroutine.wrap(function() return pcall(selfw) end)
print(selfw())
