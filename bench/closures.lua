-- closures: creates closures in a loop (counters, adders, a getter/setter
-- pair sharing one upvalue), calls them and updates their upvalues; also
-- passes an anonymous function to a higher-order helper.
-- Measures closure allocation, upvalue access and indirect calls.
-- Size: arg[1] = iterations (default 1000000).
local n = tonumber(arg and arg[1]) or 1000000
local M = 1000000007

local function make_counter(start)
  local c = start
  return function(d) c = c + d; return c end
end

local function make_adder(x)
  return function(y) return x + y end
end

local function make_cell(v)
  local function get() return v end
  local function set(nv) v = nv end
  return get, set
end

local function apply_twice(f, x) return f(f(x)) end

local acc = 0
local shared = 0
local bump = function(d) shared = (shared + d) % M end
for i = 1, n do
  local ctr = make_counter(i % 100)
  ctr(1)
  local add = make_adder(i % 7)
  local get, set = make_cell(i)
  set(get() + ctr(2))
  bump(add(i % 13))
  acc = (acc + get() + apply_twice(function(v) return v + i % 5 end, add(1))) % M
end

print(string.format("closures: %d %d", acc, shared))
