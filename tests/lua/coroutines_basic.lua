-- Coroutines (§2.6, §6.2): create, resume, yield, passing values both ways.
local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "done", d + e
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.status(co))
print(coroutine.resume(co))
-- generators
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i) end
  end)
end
local acc = {}
for v in gen(5) do acc[#acc + 1] = v end
print(table.concat(acc, " "))
-- yield with no values / many values
local co2 = coroutine.create(function()
  coroutine.yield()
  coroutine.yield(1, 2, 3, nil)
  return
end)
print(select("#", coroutine.resume(co2)))
print(select("#", coroutine.resume(co2)))
print(coroutine.resume(co2))
print(coroutine.resume(co2))
-- producer/consumer
local function producer()
  return coroutine.create(function()
    for _, item in ipairs({ "a", "b", "c" }) do coroutine.yield(item) end
    return nil
  end)
end
local p = producer()
local items = {}
while true do
  local _, item = coroutine.resume(p)
  if item == nil then break end
  items[#items + 1] = item
end
print(table.concat(items), coroutine.status(p))
-- running and isyieldable
local main, ismain = coroutine.running()
print(type(main), ismain, coroutine.isyieldable())
local inner = coroutine.create(function()
  local c, m = coroutine.running()
  return type(c), m, coroutine.isyieldable()
end)
print(coroutine.resume(inner))
-- nested coroutines: a coroutine resuming another
local outer = coroutine.create(function()
  local sub = coroutine.create(function()
    coroutine.yield("from sub")
    return "sub done"
  end)
  print("outer sees", coroutine.resume(sub))
  coroutine.yield("outer yield")
  print("outer sees", coroutine.resume(sub))
  print("status of outer from inside", coroutine.status(coroutine.running()))
  return "outer done"
end)
print(coroutine.resume(outer))
print(coroutine.resume(outer))
-- status normal: a coroutine that resumed another
local co_a
local co_b = coroutine.create(function() return coroutine.status(co_a) end)
co_a = coroutine.create(function() return coroutine.resume(co_b) end)
print(coroutine.resume(co_a))
-- yields across many nested Lua calls
local deep = coroutine.wrap(function()
  local function rec(n) if n == 0 then coroutine.yield("bottom") return "up" end return rec(n - 1) end
  local function nontail(n) if n == 0 then return rec(10) end local r = nontail(n - 1); return r end
  return nontail(100)
end)
print(deep(), deep())
-- many coroutines alive at once
local cos = {}
for i = 1, 1000 do
  cos[i] = coroutine.create(function(x) local y = coroutine.yield(x * 2); return x + y end)
end
local sum = 0
for i = 1, 1000 do local _, v = coroutine.resume(cos[i], i); sum = sum + v end
for i = 1, 1000 do local _, v = coroutine.resume(cos[i], 1); sum = sum + v end
print(sum)
-- fibonacci generator with state
local fib = coroutine.wrap(function()
  local a, b = 0, 1
  while true do coroutine.yield(a); a, b = b, a + b end
end)
local fibs = {}
for i = 1, 15 do fibs[i] = fib() end
print(table.concat(fibs, ","))
