-- string.dump (§6.4) and load of binary chunks (§6.1, mode "b").

local function roundtrip(f, strip)
  return assert(load(string.dump(f, strip), "=dumped", "b"))
end

-- Constants of every type survive a round trip.
local function constants()
  return nil, true, false, 0, -1, 42, math.maxinteger, math.mininteger,
    0.5, -0.0, 1e300, 2^53, 3.0, "", "abc", "a\0b\255", string.rep("long", 100)
end
local g = roundtrip(constants)
print(select('#', g()))
for i = 1, select('#', g()) do
  local v = select(i, g())
  print(i, math.type(v) or type(v), v)
end
local t1, t2 = {constants()}, {g()}
local same = true
for i = 1, 17 do
  if t1[i] ~= t2[i] or math.type(t1[i]) ~= math.type(t2[i]) then same = false end
end
print("constants equal", same, 1 / select(10, g()))

-- Varargs.
local va = roundtrip(function(...)
  local n = select('#', ...)
  return n, ...
end)
print(va())
print(va(1, nil, 3, nil))

-- Nested functions and their own upvalues (created afresh at each call).
local counter = roundtrip(function(start)
  local c = start
  return function(step)
    c = c + (step or 1)
    return c
  end, function() return c end
end)
local inc, get = counter(10)
inc(); inc(5)
print("counter", get(), inc(), get())
local inc2 = counter(100)
print("independent", inc2(), get())

-- Recursion through a local function inside the dumped function.
local fib = roundtrip(function(n)
  local function fib(k)
    if k < 2 then return k end
    return fib(k - 1) + fib(k - 2)
  end
  return fib(n)
end)
print("fib", fib(20))

-- Loops, tables, methods, goto, string methods, integer and float arithmetic.
local busy = roundtrip(function(n)
  local t = {}
  for i = 1, n do t[#t + 1] = i * i end
  local s = 0
  for _, v in ipairs(t) do s = s + v end
  local words = {}
  for w in ("one two three"):gmatch("%a+") do words[#words + 1] = w:upper() end
  local big = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
    21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55}
  local i = 0
  ::again::
  i = i + 1
  if i < 3 then goto again end
  return s, table.concat(words, ","), #big, i, 7 // 2, 7 / 2, 7 % 3, 2^10, 5 & 3, 5 | 3, ~0
end)
print(busy(10))

-- Upvalues: a loaded function gets fresh upvalues; the first one is set to
-- the global table (as for _ENV of a text chunk), the others are nil.
local x, y = 10, 20
local function getxy() return x, y end
local h = roundtrip(getxy)
local a, b = h()
print("first upvalue is _G", a == _G, b)
local function usesglobal() return type(print) end
print(roundtrip(usesglobal)())
local function setter(v) x = v end
local s = roundtrip(setter)
s(5)
print("original unchanged", x)

-- A loaded main chunk.
local chunk = load("local a, b = ... return a * b, select('#', ...)")
print(roundtrip(chunk)(6, 7))

-- Dumping a loaded function gives the same chunk again.
print("redump", string.dump(roundtrip(busy)) == string.dump(busy),
  string.dump(roundtrip(busy, true), true) == string.dump(busy, true))

-- Strip mode: smaller, same behaviour.
print("strip smaller", #string.dump(busy, true) < #string.dump(busy))
print(roundtrip(busy, true)(10))
print(roundtrip(counter, true)(1)(2))
print(pcall(roundtrip(function() error("no position", 0) end, true)))
local ok, err = pcall(roundtrip(function() error({code = 7}) end, true))
print(ok, type(err), err.code)

-- Loading through a reader function, in pieces.
local bin = string.dump(fib)
local pos = 0
local f = load(function()
  if pos >= #bin then return nil end
  local piece = bin:sub(pos + 1, pos + 5)
  pos = pos + 5
  return piece
end, "pieces", "b")
print("reader", f(15))

-- Mode mismatches.
print(load(bin, "bin", "t"))
print(load("return 1", "text", "b"))
print(load(bin, "bin", "bt") ~= nil, load(bin, "bin", "b") ~= nil)

-- string.dump's argument checks.
print(pcall(string.dump, print))
print(pcall(string.dump, 1))
print(pcall(string.dump))
print(pcall(string.dump, string.dump))

-- Truncated chunks are errors, wherever they are cut.
print(load(bin:sub(1, #bin - 1)))
print(load(bin:sub(1, 20), "=mychunk"))
print(load(bin:sub(1, 20), "@file.luac"))
local all = true
for n = 4, #bin - 1 do
  local fn, msg = load(bin:sub(1, n))
  if fn or msg ~= "binary string: bad binary format (truncated chunk)" then
    all = false
    print(n, msg)
  end
end
print("every truncation rejected", all)
