-- coroutine.close (§6.2): closes pending to-be-closed variables of a suspended or dead
-- coroutine and reports errors.
local log = {}
local function closer(name)
  return setmetatable({}, { __close = function(_, e) log[#log + 1] = name .. ":" .. tostring(e) end })
end
local co = coroutine.create(function()
  local a <close> = closer("a")
  local b <close> = closer("b")
  coroutine.yield("suspended with tbc")
  log[#log + 1] = "never"
end)
print(coroutine.resume(co))
print(coroutine.close(co))
print(coroutine.status(co), table.concat(log, " "))
-- closing a dead coroutine (finished normally)
local done = coroutine.create(function() return 1 end)
coroutine.resume(done)
print(coroutine.close(done))
-- closing a coroutine that never ran
local fresh = coroutine.create(function() error("never runs") end)
print(coroutine.close(fresh), coroutine.status(fresh))
-- closing a coroutine that died with an error returns false and the error
local failed = coroutine.create(function() error({ tag = "E" }) end)
coroutine.resume(failed)
local ok, err = coroutine.close(failed)
print(ok, type(err), err.tag)
local failed2 = coroutine.create(function() error("string error", 0) end)
coroutine.resume(failed2)
print(coroutine.close(failed2))
print(coroutine.close(failed2)) -- the error is reported once, then the coroutine is clean
-- a __close that errors during coroutine.close
log = {}
local co2 = coroutine.create(function()
  local x <close> = closer("x")
  local y <close> = setmetatable({}, { __close = function() error("close error", 0) end })
  local z <close> = closer("z")
  coroutine.yield()
end)
coroutine.resume(co2)
print(coroutine.close(co2))
print(table.concat(log, " "), coroutine.status(co2))
-- cannot close a running or normal coroutine
local selfclose = coroutine.create(function() return pcall(coroutine.close, coroutine.running()) end)
print(coroutine.resume(selfclose))
local outer
outer = coroutine.create(function()
  local inner = coroutine.create(function() return pcall(coroutine.close, outer) end)
  return coroutine.resume(inner)
end)
print(coroutine.resume(outer))
-- after close, resume fails
print(coroutine.resume(co))
-- close the main coroutine is an error
print(pcall(coroutine.close, (coroutine.running())))
-- a wrapped coroutine that errors is closed by wrap (its tbc variables run at once)
log = {}
local w = coroutine.wrap(function()
  local v <close> = closer("v")
  coroutine.yield(1)
  error("wrap error", 0)
end)
w()
print(pcall(w))
print(table.concat(log, " "))
-- a coroutine that dies by an error keeps its tbc variables pending (its stack is kept
-- for inspection); coroutine.close closes them with the error object
log = {}
local co3 = coroutine.create(function()
  local q <close> = closer("q")
  error("co3 error", 0)
end)
print(coroutine.resume(co3))
print("after resume:", table.concat(log, " "))
print(coroutine.close(co3))
print("after close:", table.concat(log, " "))
