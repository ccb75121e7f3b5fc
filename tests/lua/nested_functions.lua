-- Nested function definitions, local function vs local f = function, methods defined
-- with dots and colons, functions returning functions.
local function outer(a)
  local function middle(b)
    local function inner(c) return a + b + c end
    return inner
  end
  return middle
end
print(outer(1)(10)(100))
-- local function can recurse; local f = function cannot see itself
local function fact(n) return n <= 1 and 1 or n * fact(n - 1) end
print(fact(10))
local g = function(n) return n end
local f = function(n) if n == 0 then return "base" end return g(n - 1) end
g = f -- now f calls g which is f
print(f(3))
local ok, err = pcall(function()
  local h = function(n) if n == 0 then return 0 end return h(n - 1) end
  return h(2)
end)
print(ok, err)
-- function statements with dotted names and methods
local lib = { sub = { deeper = {} } }
function lib.sub.deeper.fn(x) return "deep " .. x end
function lib.sub:method(x) return self == lib.sub, x end
print(lib.sub.deeper.fn("call"), lib.sub:method("m"))
-- global function statements
function global_fn() return "global" end
print(global_fn(), type(_G.global_fn))
-- functions as table fields and immediately invoked functions
local ops = {
  add = function(a, b) return a + b end,
  ["sub"] = function(a, b) return a - b end,
}
print(ops.add(2, 3), ops["sub"](2, 3), (function(x) return x * x end)(7))
-- higher-order functions
local function map(t, fn) local r = {} for i, v in ipairs(t) do r[i] = fn(v) end return r end
local function filter(t, p) local r = {} for _, v in ipairs(t) do if p(v) then r[#r + 1] = v end end return r end
local function reduce(t, fn, acc) for _, v in ipairs(t) do acc = fn(acc, v) end return acc end
local nums = {}
for i = 1, 10 do nums[i] = i end
local evens_squared = map(filter(nums, function(x) return x % 2 == 0 end), function(x) return x * x end)
print(table.concat(evens_squared, " "), reduce(nums, function(a, b) return a + b end, 0))
-- composition and currying
local function compose(...)
  local fns = { ... }
  return function(...)
    local r = table.pack(...)
    for i = #fns, 1, -1 do r = table.pack(fns[i](table.unpack(r, 1, r.n))) end
    return table.unpack(r, 1, r.n)
  end
end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print(compose(inc, dbl)(5), compose(dbl, inc)(5), compose()(1, 2))
local function curry(fn, n)
  n = n or 2
  local function collect(args, count)
    return function(x)
      local a = { table.unpack(args, 1, count) }
      a[count + 1] = x
      if count + 1 >= n then return fn(table.unpack(a, 1, n)) end
      return collect(a, count + 1)
    end
  end
  return collect({}, 0)
end
print(curry(function(a, b, c) return a .. b .. c end, 3)("x")("y")("z"))
-- functions with the same body are distinct values when they have different upvalues
local function adder(n) return function(x) return x + n end end
local add1, add2 = adder(1), adder(2)
print(add1(10), add2(10), add1 ~= add2)
-- deeply nested definitions (20 levels) each capturing the previous level's local
local src = { "local v0 = 0" }
for i = 1, 20 do src[#src + 1] = ("local function f%d() local v%d = v%d + 1"):format(i, i, i - 1) end
src[#src + 1] = "return v20"
for i = 20, 1, -1 do src[#src + 1] = ("end return f%d()"):format(i) end
local deep = assert(load(table.concat(src, "\n")))
print(deep())
-- parameters shadow upvalues; extra arguments ignored; missing are nil
local shadow = "upvalue"
local function params(shadow, b) return shadow, b end
print(params("param"), params(1, 2, 3))
