-- Proper tail calls (§3.4.10): `return f(args)` reuses the frame, so unbounded tail
-- recursion runs in constant stack space.
local function loop(n, acc)
  if n == 0 then return acc end
  return loop(n - 1, acc + 1)
end
print(loop(1000000, 0))
-- mutual tail recursion
local is_even, is_odd
function is_even(n) if n == 0 then return true end return is_odd(n - 1) end
function is_odd(n) if n == 0 then return false end return is_even(n - 1) end
print(is_even(1000000), is_odd(777777))
-- tail call to a vararg function with many results
local function many(n) if n == 0 then return 1, 2, 3 end return many(n - 1) end
print(many(100000))
-- tail call through a method and through __call
local obj = {}
function obj:count(n) if n == 0 then return "method done" end return self:count(n - 1) end
print(obj:count(500000))
local callable = setmetatable({}, { __call = function(self, n)
  if n == 0 then return "call done" end
  return self(n - 1)
end })
print(callable(300000))
-- tail call to a C function
local function tostr(n) return tostring(n) end
print(tostr(42))
-- not tail calls: (f(x)), f(x) + 0, return x, f(x) -- these use stack and are bounded here
local function notail(n) if n == 0 then return 0 end return (notail(n - 1)) end
print(notail(10000))
-- a tail call in a state machine
local states = {}
function states.a(n) if n <= 0 then return "end in a" end return states.b(n - 1) end
function states.b(n) if n <= 0 then return "end in b" end return states.c(n - 1) end
function states.c(n) if n <= 0 then return "end in c" end return states.a(n - 1) end
print(states.a(1000001))
-- the traceback of an error in tail-called code mentions tail calls (checked loosely)
local function fail(n) if n == 0 then error("deep") end return fail(n - 1) end
local ok, tb = xpcall(fail, debug.traceback, 1000000)
print(ok, tb:match("^[^\n]*"), tb:find("tail call", 1, true) ~= nil)
