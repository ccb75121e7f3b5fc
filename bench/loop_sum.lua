-- loop_sum: tight numeric for-loop summing integers; measures the for-loop
-- and add dispatch/compile quality.
-- Size: arg[1] = millions of iterations (default 100). The inner loop sums
-- 1..1e6 (exact in doubles, so LuaJIT agrees); totals are folded mod a prime.
local millions = tonumber(arg and arg[1]) or 100
local M = 1000000007

local total = 0
for r = 1, millions do
  local s = 0
  for i = 1, 1000000 do
    s = s + i
  end
  total = (total + s + r) % M
end

print(string.format("loop_sum(%d) = %d", millions, total))
