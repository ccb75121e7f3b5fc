-- fib: naive doubly-recursive Fibonacci; measures Lua function call/return
-- overhead and integer arithmetic on small values.
-- Size: arg[1] = n (default 35). Prints fib(n).
local n = tonumber(arg and arg[1]) or 35

local function fib(k)
  if k < 2 then return k end
  return fib(k - 1) + fib(k - 2)
end

print(string.format("fib(%d) = %d", n, fib(n)))
