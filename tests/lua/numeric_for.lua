-- Numeric for (§3.3.5): integer loops never overflow (the iteration count is computed
-- up front), float loops accumulate, the control variable is a fresh copy.
local function collect(a, b, c)
  local t = {}
  if c then
    for i = a, b, c do t[#t + 1] = tostring(i) end
  else
    for i = a, b do t[#t + 1] = tostring(i) end
  end
  return table.concat(t, " ")
end
print(collect(1, 5))
print(collect(5, 1))
print(collect(5, 1, -1))
print(collect(1, 10, 3))
print(collect(10, 1, -4))
print(collect(1, 1))
print(collect(0, -1))
-- float loops
print(collect(1.0, 3))
print(collect(1, 2, 0.5))
print(collect(0, 1, 0.25))
print(collect(1, 0, -0.5))
print(collect(0.1, 0.5, 0.1))
-- integer and float types of the control variable
for i = 1, 1 do print(math.type(i)) end
for i = 1.0, 1 do print(math.type(i)) end
for i = 1, 1.5 do print(math.type(i)) end
for i = 1, 2, 1.0 do print(math.type(i)) break end
-- overflow edges: the loop stops at the limit without wrapping
print(collect(math.maxinteger - 2, math.maxinteger))
print(collect(math.mininteger + 2, math.mininteger, -1))
print(collect(math.maxinteger - 1, math.maxinteger, 10))
print(collect(math.mininteger, math.mininteger + 10, math.maxinteger))
print(collect(1, math.maxinteger, math.maxinteger))
print(collect(-1, math.mininteger, math.mininteger))
-- float limits with integer loops: clipped to integers
print(collect(1, 3.7))
print(collect(3, 0.5, -1))
print(collect(1, math.huge, 1 << 62))
print(collect(math.maxinteger - 1, 1e100))
print(collect(1, -math.huge))
print(collect(-3, -math.huge, -1 << 62))
print(collect(1, 0 / 0))
-- modifying the control variable does not affect the iteration
local seen = {}
for i = 1, 3 do
  seen[#seen + 1] = i
  i = i * 10
  seen[#seen + 1] = i
end
print(table.concat(seen, " "))
-- expressions are evaluated once
local evals = 0
local function lim() evals = evals + 1; return 3 end
for _ = 1, lim() do end
print(evals)
-- large iteration count
local s = 0
for i = 1, 1000000 do s = s + i end
print(s)
local fs = 0.0
for x = 0, 1, 0.001 do fs = fs + 1 end
print(fs)
-- step zero
print(pcall(function() for i = 1, 10, 0 do end end))
print(pcall(function() for i = 1.0, 10, 0.0 do end end))
-- numeric strings are accepted (converted like tonumber; an integer-looking initial
-- string still makes a float loop, because only integer *values* make integer loops)
print(collect("1", 3), collect(1, "3"), collect(1, 3, "1"), collect("0x10", 17))
-- non-numeric parameters
print(pcall(function() for i = "x", 2 do end end))
print(pcall(function() for i = 1, "y" do end end))
print(pcall(function() for i = 1, 2, false do end end))
print(pcall(function() for i = 1, {} do end end))
print(pcall(function() local t = {}; for i = t.x, 2 do end end))
-- nested loops with shared limits
local c = 0
for i = 1, 10 do for j = i, 10 do c = c + 1 end end
print(c)
-- negative zero and float steps
print(collect(-0.0, 0))
print(collect(3, 1, -0.5))
