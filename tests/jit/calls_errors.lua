-- Calls made from compiled code: errors keep their message, line and
-- traceback; infinite recursion is "stack overflow"; coroutines yield across
-- compiled frames; the last call fails uncaught (message and traceback on
-- stderr, exit status 1).
local function inner(x)
  if x > 3 then error("boom at " .. x) end
  return x
end
local function outer(n)
  local s = 0
  for i = 1, n do s = s + inner(i) end
  return s
end
print(pcall(outer, 2))
print(pcall(outer, 10))
print(select(2, xpcall(outer, debug.traceback, 10)))
local function rec(n) return 1 + rec(n + 1) end
local ok, e = pcall(rec, 1)
print(ok, e)
local function gen(n)
  for i = 1, n do
    local v = coroutine.yield(i * 10)
    print("got", v)
  end
  return "done"
end
local co = coroutine.wrap(gen)
print(co(3)) print(co("a")) print(co("b")) print(co("c"))
local deep = 0
local function down(n) if n == 0 then return 0 end deep = deep + 1 return 1 + down(n - 1) end
print(down(5000), deep)
outer(10)
