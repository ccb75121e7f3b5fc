-- debug library (§6.10) without hooks: getinfo, getlocal/setlocal,
-- upvalues, metatables, registry, user values, traceback, gethook/sethook
-- bookkeeping. Output is deterministic (no addresses).

local function keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  return table.concat(ks, ",")
end

local function try(f, ...)
  local r = table.pack(pcall(f, ...))
  for i = 1, r.n do r[i] = tostring(r[i]) end
  print(table.concat(r, " "))
end

local function lines(f)
  local al = debug.getinfo(f, "L").activelines
  if not al then return "nil" end
  local t = {}
  for k, v in pairs(al) do t[#t + 1] = k .. (v == true and "" or "?") end
  table.sort(t, function(a, b) return tonumber(a) < tonumber(b) end)
  return table.concat(t, " ")
end

print("-- getinfo on functions")
local function sample(a, b, ...)
  local c = a + b
  return c
end
local info = debug.getinfo(sample)
print(keys(info))
print(info.source, info.short_src, info.what, info.linedefined, info.lastlinedefined)
print(info.currentline, info.nups, info.nparams, info.isvararg, info.name, info.namewhat)
print(info.istailcall, info.ftransfer, info.ntransfer, info.func == sample)
info = debug.getinfo(print)
print(keys(info))
print(info.source, info.short_src, info.what, info.linedefined, info.lastlinedefined)
print(info.currentline, info.nups, info.nparams, info.isvararg, info.func == print)
print(keys(debug.getinfo(sample, "S")), keys(debug.getinfo(sample, "")))
print(keys(debug.getinfo(sample, "L")), keys(debug.getinfo(print, "L")))
print(lines(sample), lines(print))
print(lines(function() end))
print(lines(function(...)
  local x = ...
  return x
end))
local main = debug.getinfo(1, "S")
print(main.what, main.short_src, main.linedefined, main.lastlinedefined)
local up1, up2 = 1, 2
local function useups() return up1 + up2 end
print(debug.getinfo(useups, "u").nups, debug.getinfo(useups, "u").nparams)
local chunk = load("return 1", "=mychunk")
local ci = debug.getinfo(chunk, "S")
print(ci.source, ci.short_src, ci.what)
ci = debug.getinfo(load("return 1", "a long chunk of code\nwith lines"), "S")
print(ci.source == "a long chunk of code\nwith lines", ci.short_src)
ci = debug.getinfo(load("return 1", "@some/file.lua"), "S")
print(ci.source, ci.short_src)

print("-- getinfo on levels")
local function where()
  local i = debug.getinfo(1, "nSlt")
  local c = debug.getinfo(2, "l")
  return i.name, i.namewhat, i.what, i.currentline, i.istailcall, c.currentline
end
print(where())
local t = { m = where }
print(t.m())
print(t:m())
local function tail() return where() end
print(tail())
print(debug.getinfo(0, "n").name, debug.getinfo(0, "n").namewhat, debug.getinfo(0, "S").what)
print(debug.getinfo(1, "l").currentline)
print(debug.getinfo(100), debug.getinfo(-1), debug.getinfo(2 ^ 31))
print(debug.getinfo(1, "f").func ~= nil)
do
  local function lvl(n) return debug.getinfo(n, "S").what end
  print(lvl(1), lvl(2), lvl(3))
end
setmetatable(t, { __index = function(_, k)
  local i = debug.getinfo(1, "n")
  return i.namewhat .. ":" .. tostring(i.name)
end })
print(t.foo)
local mt = { __add = function() local i = debug.getinfo(1, "n") return i.namewhat .. ":" .. i.name end }
print(setmetatable({}, mt) + 1)
for _ in function() print(debug.getinfo(1, "n").namewhat) return nil end do end
try(debug.getinfo, "x")
try(debug.getinfo, {})
try(debug.getinfo)
try(debug.getinfo, 1, "q")
try(debug.getinfo, 1, ">S")
try(debug.getinfo, print, ">S")
try(debug.getinfo, 1, {})
print(debug.getinfo(100, "q"))

print("-- getinfo on coroutines")
local co = coroutine.create(function(x)
  local y = x * 2
  coroutine.yield(y)
  return y
end)
print(debug.getinfo(co, 0))
coroutine.resume(co, 21)
local ci0 = debug.getinfo(co, 0, "Sn")
local ci1 = debug.getinfo(co, 1, "Sl")
print(ci0.what, ci0.name, ci1.what, ci1.currentline, debug.getinfo(co, 2))
print(debug.getlocal(co, 1, 1), debug.getlocal(co, 1, 2), debug.getlocal(co, 1, 3))
print(debug.setlocal(co, 1, 2, 100))
print(coroutine.resume(co))
print(debug.getinfo(co, 0))
print(debug.getinfo(coroutine.running(), 0, "n").name)

print("-- getlocal / setlocal")
local function locals(a, b, ...)
  local x = "ex"
  do local inner = 1 end
  local names = {}
  local i = 1
  while true do
    local name, value = debug.getlocal(1, i)
    if not name then break end
    if name ~= "names" then names[#names + 1] = name .. "=" .. tostring(value) end
    i = i + 1
  end
  i = -1
  while true do
    local name, value = debug.getlocal(1, i)
    if not name then break end
    names[#names + 1] = name .. "[" .. i .. "]=" .. tostring(value)
    i = i - 1
  end
  return table.concat(names, " ")
end
print(locals(1, 2, "v1", "v2"))
print(locals(1))
print(debug.getlocal(locals, 1), debug.getlocal(locals, 2), debug.getlocal(locals, 3))
print(debug.getlocal(locals, 0), debug.getlocal(locals, -1), debug.getlocal(print, 1))
local function setter()
  local v = 1
  print(debug.setlocal(1, 1, 42), v)
  print(debug.setlocal(1, 10, 0))
  print(debug.setlocal(1, -1, 0))
end
setter()
local function vsetter(...)
  print(debug.setlocal(1, -2, "changed"))
  print(...)
end
vsetter("a", "b", "c")
local function caller_locals()
  local secret = "s"
  local function peek() return debug.getlocal(2, 1) end
  local n, v = peek()
  return n, v
end
print(caller_locals())
local function tailpeek() return debug.getlocal(2, 1) end
local function caller_tail() local hidden = 1; return tailpeek() end
print(caller_tail() == "keys")
print(debug.getlocal(1, 1), type(select(2, debug.getlocal(1, 1))))
print((pcall(debug.getlocal, 1, 1)), (select(2, pcall(debug.getlocal, 1, 1))))
local function ctemps(...) local n = debug.getlocal(2, 1) return n end
print(pcall(ctemps, "arg"))
try(debug.getlocal, 100, 1)
try(debug.getlocal, 1)
try(debug.getlocal, "x", 1)
try(debug.setlocal, 100, 1, 1)
try(debug.setlocal, 1, 1)
try(debug.getlocal, co, 0, 1)

print("-- upvalues")
local a, b = 10, 20
local function f() return a + b end
print(debug.getupvalue(f, 1), debug.getupvalue(f, 2))
print(debug.getupvalue(f, 3), select("#", debug.getupvalue(f, 3)), select("#", debug.getupvalue(f, 0)))
print(debug.setupvalue(f, 1, 5), f(), a)
print(select("#", debug.setupvalue(f, 3, 5)))
print(debug.getupvalue(chunk, 1), select(2, debug.getupvalue(chunk, 1)) == _G)
local gm = string.gmatch("a b", "%a")
local n1, v1 = debug.getupvalue(gm, 1)
print(n1 == "", v1, select("#", debug.getupvalue(gm, 1)))
print(select("#", debug.getupvalue(print, 1)))
local function g() return a end
print(debug.upvalueid(f, 1) == debug.upvalueid(g, 1), debug.upvalueid(f, 1) == debug.upvalueid(f, 2))
print(type(debug.upvalueid(f, 1)), debug.upvalueid(f, 3), debug.upvalueid(print, 1))
print(type(debug.upvalueid(gm, 1)), debug.upvalueid(gm, 1) == debug.upvalueid(gm, 2))
debug.upvaluejoin(g, 1, f, 2)
print(g(), debug.upvalueid(g, 1) == debug.upvalueid(f, 2))
try(debug.upvaluejoin, g, 2, f, 1)
try(debug.upvaluejoin, g, 1, f, 5)
try(debug.upvaluejoin, print, 1, f, 1)
try(debug.upvaluejoin, gm, 1, f, 1)
try(debug.upvaluejoin, f, 1, gm, 1)
try(debug.getupvalue, 1, 1)
try(debug.getupvalue, f)
try(debug.setupvalue, f, 1)
try(debug.upvalueid, {}, 1)

print("-- metatables")
local tt = setmetatable({}, { __metatable = "locked" })
print(getmetatable(tt), type(debug.getmetatable(tt)), debug.getmetatable(tt).__metatable)
print(debug.getmetatable(1), debug.getmetatable("x").__index == string)
try(debug.getmetatable)
print(debug.setmetatable(5, { __index = function(n, k) return k .. n end }))
print((7).foo, (2.5).bar)
print(debug.setmetatable(5, nil), pcall(function() return (7).foo end))
debug.setmetatable(nil, { __len = function() return 99 end })
print(#nil)
debug.setmetatable(nil, nil)
debug.setmetatable(true, { __call = function(self, x) return "called " .. tostring(self) .. " " .. x end })
print((false)("y"))
debug.setmetatable(false, nil)
print(pcall(function() return (true)() end))
local fmt = debug.setmetatable(print, { __index = { kind = "function" } })
print(fmt == print, print.kind, sample.kind)
debug.setmetatable(print, nil)
print(debug.setmetatable(tt, nil) == tt, getmetatable(tt))
try(debug.setmetatable, {}, 1)
try(debug.setmetatable, {})
try(debug.setmetatable)
do
  local collected = false
  local x = debug.setmetatable({}, { __gc = function() collected = true end })
  x = nil
  collectgarbage()
  print("gc via debug.setmetatable", collected)
end

print("-- registry and user values")
local reg = debug.getregistry()
print(type(reg), reg == debug.getregistry(), reg[2] == _G, type(reg._LOADED), reg._LOADED.string == string)
print(debug.getuservalue(1), select("#", debug.getuservalue(1)), debug.getuservalue({}, 1))
try(debug.setuservalue, {}, 1)
try(debug.setuservalue, 1)
try(debug.getuservalue, 1, "x")
local ud = select(2, debug.getupvalue(gm, 3))
print(type(ud))
print(debug.getuservalue(ud), select("#", debug.getuservalue(ud, 2)))
print(debug.setuservalue(ud, "x", 2), debug.getuservalue(ud, 2))
try(debug.setuservalue, ud)

print("-- traceback")
print(debug.traceback())
print(debug.traceback("msg"))
print(debug.traceback("msg", 2))
print(debug.traceback("lvl0", 0))
print(debug.traceback("neg", -1))
print(debug.traceback(42))
print(debug.traceback(nil, 1) == debug.traceback(nil))
local tbl = {}
print(debug.traceback(tbl) == tbl, debug.traceback(true), select("#", debug.traceback(nil)))
local function inner() return debug.traceback("in", 1) end
local function outer() local r = inner() return r end
print(outer())
local function tc() return inner() end
print(tc())
local function rec(n) if n == 0 then return debug.traceback("deep") end local r = rec(n - 1) return r end
for _, depth in ipairs({ 19, 20, 21, 40 }) do print(depth, rec(depth)) end
local co2 = coroutine.create(function() local x = 1; coroutine.yield(x) end)
print(debug.traceback(co2))
coroutine.resume(co2)
print(debug.traceback(co2))
print(debug.traceback(co2, "hi"))
print(debug.traceback(co2, "lvl1", 1))
print(debug.traceback(co2, nil, 5))
local co3 = coroutine.create(function() local t = nil; return t.x end)
print(coroutine.resume(co3))
print(debug.traceback(co3))
print(debug.traceback(coroutine.running(), "main", 1) == debug.traceback("main", 1))
print(select(2, xpcall(function() error("boom") end, debug.traceback)))
print(select(2, xpcall(function() local x = {} .. 1 end, debug.traceback)))
print(select(2, xpcall(string.rep, debug.traceback)))
print(pcall(debug.traceback, "x", "y"))

print("-- sethook / gethook bookkeeping")
print(debug.gethook())
local hk = function() end
debug.sethook(hk, "", 0)
print(debug.gethook())
debug.sethook(hk, "", 1000000)
local h1, m1, c1 = debug.gethook()
print(h1 == hk, m1, c1)
debug.sethook()
print(debug.gethook())
local cco = coroutine.create(function() return debug.gethook() end)
debug.sethook(cco, hk, "crl", 0)
local h2, m2, c2 = debug.gethook(cco)
print(h2 == hk, m2, c2, debug.gethook())
debug.sethook(cco)
print(debug.gethook(cco))
try(debug.sethook, 1)
try(debug.sethook, 1, "c")
try(debug.sethook, hk, "c", "x")
try(debug.sethook, hk, {})
local hooks = reg._HOOKKEY
print(type(hooks), getmetatable(hooks) == hooks, hooks.__mode)

print("-- debug.debug")
print(type(debug.debug))
print("done")
