-- Yielding across pcall, xpcall, error handlers and nested protected calls (5.4
-- allows yields from inside pcall/xpcall bodies).
local co = coroutine.create(function()
  local ok, v = pcall(function()
    local got = coroutine.yield("yield in pcall")
    return got * 2
  end)
  print("pcall returned", ok, v)
  local ok2, e = pcall(function()
    coroutine.yield("second yield in pcall")
    error("after yield", 0)
  end)
  print("pcall caught", ok2, e)
  return "finished"
end)
print(coroutine.resume(co))
print(coroutine.resume(co, 21))
print(coroutine.resume(co))
print(coroutine.status(co))
-- xpcall with a handler, yielding in the body
local co2 = coroutine.wrap(function()
  return xpcall(function()
    coroutine.yield(1)
    coroutine.yield(2)
    error("x")
  end, function(m) return "handled:" .. m end)
end)
print(co2())
print(co2())
print(co2())
-- nested pcalls with yields at each level
local co3 = coroutine.wrap(function()
  local r = {}
  local _, outer = pcall(function()
    local _, inner = pcall(function()
      local got = coroutine.yield("deep")
      r[#r + 1] = got
      return "inner"
    end)
    r[#r + 1] = inner
    coroutine.yield("middle")
    return "outer"
  end)
  r[#r + 1] = outer
  return table.concat(r, ",")
end)
print(co3())
print(co3("resumed"))
print(co3())
-- error thrown after a yield inside pcall inside a coroutine propagates to resume
local co4 = coroutine.create(function()
  pcall(coroutine.yield, "yielding through pcall directly")
  coroutine.yield("back")
  error("final error", 0)
end)
print(coroutine.resume(co4))
print(coroutine.resume(co4))
print(coroutine.resume(co4))
-- pcall(coroutine.yield, ...) returns true plus the resume values
local co5 = coroutine.wrap(function()
  print("pcall(yield) ->", pcall(coroutine.yield, "y"))
  return "end"
end)
print(co5())
print(co5("r1", "r2"))
-- many yields inside a loop inside pcall
local co7 = coroutine.wrap(function()
  local ok, s = pcall(function()
    local total = 0
    for i = 1, 100 do total = total + coroutine.yield(i) end
    return total
  end)
  return "total", s
end)
local v = co7()
local last
for _ = 1, 100 do last = { co7(v) }; v = last[1] end
print(table.unpack(last))
