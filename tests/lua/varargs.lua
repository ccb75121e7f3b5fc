-- Variadic functions (§3.4.11): ..., select, table.pack, adjustment to one value.
local function count(...) return select("#", ...) end
print(count(), count(nil), count(nil, nil), count(1, nil, 3, nil))
local function pass(...) return ... end
print(pass(1, 2, 3))
print(pass())
print((pass(1, 2, 3)))
print(pass(1, 2, 3), "last")
local function first(...) local a = ...; return a end
print(first(9, 8, 7))
local function two(...) local a, b, c = ...; return a, b, c end
print(two(1))
-- ... in table constructors, middle vs last
local function pack(...) return { ... } end
print(#pack(1, 2, 3), #pack(), #{ pass(1, 2), pass(3, 4) })
-- table.pack sets n, including trailing nils
local p = table.pack(1, nil, 3, nil)
print(p.n, p[1], p[2], p[3], p[4])
-- varargs with fixed parameters
local function mixed(a, b, ...)
  return a, b, select("#", ...), ...
end
print(mixed(1))
print(mixed(1, 2, 3, 4))
-- select with negative and out-of-range indices
print(select(2, "a", "b", "c"))
print(select(-1, "a", "b", "c"))
print(select(-3, "a", "b", "c"))
print(select(4, "a", "b", "c"))
print(pcall(select, -4, "a", "b", "c"))
print(pcall(select, 0, "a"))
-- many values
local many = {}
for i = 1, 200 do many[i] = i end
print(count(table.unpack(many)), select(200, table.unpack(many)))
-- forwarding varargs through multiple levels
local function outer(...) return pass(pass(...)) end
print(outer("x", nil, "z"))
print(count(outer(nil, nil)))
-- ... in main chunk of a loaded function
local chunk = load("return select('#', ...), ...")
print(chunk(1, 2, 3))
-- varargs captured in a closure must be copied into a table
local function capture(...)
  local args = table.pack(...)
  return function() return table.unpack(args, 1, args.n) end
end
print(capture(1, nil, 3)())
-- vararg in the middle of an expression list is truncated
print(pass(1, 2), pass(3, 4))
-- vararg as arguments in method calls
local obj = { m = function(self, ...) return count(...) end }
print(obj:m(1, 2, 3), obj:m())
-- string.format with varargs
local function fmt(f, ...) return string.format(f, ...) end
print(fmt("%d-%s-%q", 1, "two", "3"))
-- arithmetic on ... adjusts it to its first value
local function sum1(...) return ... + 1 end
print(sum1(10, 20))
