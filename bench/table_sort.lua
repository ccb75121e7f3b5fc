-- table_sort: table.sort of pseudo-random floats in [0,1) from a Park-Miller
-- LCG (not math.random, so all runtimes sort the same data), once with the
-- default < order and once with a comparison function on a copy.
-- Measures the sort and comparison-callback overhead.
-- Size: arg[1] = number of elements (default 1000000).
local n = tonumber(arg and arg[1]) or 1000000

local seed = 12345
local a = {}
for i = 1, n do
  seed = (seed * 16807) % 2147483647
  a[i] = seed / 2147483647
end
local b = {}
for i = 1, n, 4 do b[#b + 1] = a[i] end

table.sort(a)
table.sort(b, function(x, y) return x > y end)

for i = 2, n do
  if a[i - 1] > a[i] then error("table_sort: not sorted at " .. i) end
end
for i = 2, #b do
  if b[i - 1] < b[i] then error("table_sort: not reverse-sorted at " .. i) end
end
local sum = 0
for i = 1, n, 1000 do sum = sum + a[i] * i end
print(string.format("table_sort: %d %.6f %.6f %.6f %.6f", n, a[1], a[n], b[1], sum))
