-- debug hooks (§6.10 debug.sethook): call, return, tail call, line and
-- count events, what hooks see through getinfo/getlocal, and per-thread
-- hooks.

local log = {}
local function record(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  log[#log + 1] = table.concat(t, " ")
end
local function flush(title)
  print(title)
  for i = 1, #log do print("  " .. log[i]) end
  log = {}
end

-- call / return events with names
local function leaf(x) return x + 1 end
local function mid(x) return leaf(x) * 2 end
debug.sethook(function(ev)
  local i = debug.getinfo(2, "nS")
  record(ev, i.what, i.name, i.namewhat)
end, "cr")
mid(1)
debug.sethook()
flush("call/return")

-- tail calls
local function t2() return 1 end
local function t1() return t2() end
debug.sethook(function(ev)
  local i = debug.getinfo(2, "nSt")
  if i.what == "Lua" then record(ev, i.name, i.istailcall) end
end, "cr")
t1()
debug.sethook()
flush("tail calls")

-- line events
local function lines()
  local a = 1
  local b = 2
  for i = 1, 2 do
    a = a + i
  end
  return a + b
end
debug.sethook(function(ev, line)
  if debug.getinfo(2, "S").what == "Lua" then record(ev, line) end
end, "l")
lines()
debug.sethook()
flush("line")

-- count events
local n = 0
debug.sethook(function(ev) n = n + 1 end, "", 1)
for i = 1, 10 do local _ = i * 2 end
debug.sethook()
print("count hook fired", n > 10)
n = 0
debug.sethook(function(ev) if ev == "count" then n = n + 1 end end, "c", 100000)
print(select(3, debug.gethook()))
debug.sethook()

-- hook function sees itself as a hook and the hooked function at level 2
debug.sethook(function(ev)
  local me = debug.getinfo(1, "n")
  local them = debug.getinfo(2, "n")
  if them.name == "leaf" then record(ev, me.namewhat, me.name, them.name) end
end, "c")
leaf(1)
debug.sethook()
flush("hook levels")

-- transfer information
debug.sethook(function(ev)
  local i = debug.getinfo(2, "nr")
  if i.name == "leaf" or i.name == "select" then record(ev, i.name, i.ftransfer, i.ntransfer) end
end, "cr")
leaf(5)
select(2, "a", "b", "c")
debug.sethook()
flush("transfer")

-- hooks see parameters through getlocal at the call event
debug.sethook(function(ev)
  if debug.getinfo(2, "n").name == "leaf" then record(ev, debug.getlocal(2, 1)) end
end, "c")
leaf(41)
debug.sethook()
flush("getlocal in hook")

-- hooks are off inside hooks
local depth = 0
debug.sethook(function()
  depth = depth + 1
  leaf(1)
end, "c")
leaf(2)
debug.sethook()
print("calls seen", depth)

-- per-thread hooks
local co = coroutine.create(function()
  leaf(1)
  coroutine.yield()
  leaf(2)
end)
debug.sethook(co, function(ev)
  local i = debug.getinfo(2, "n")
  if i.name == "leaf" then record("co", ev) end
end, "c")
coroutine.resume(co)
leaf(3)
coroutine.resume(co)
flush("coroutine hook")

-- a coroutine created while a hook is set inherits the mask but not the function
debug.sethook(function(ev) record("main", ev) end, "c")
local co2 = coroutine.create(function() return select("#", debug.gethook()) end)
debug.sethook()
print(coroutine.resume(co2))
print(debug.gethook(co2))

-- errors in hooks propagate
local fired = false
local ok, err = pcall(function()
  debug.sethook(function(ev, line)
    if not fired then fired = true; error("hook error at " .. line) end
  end, "l")
  local x = 1
end)
debug.sethook()
print(ok, err)
print("done")
