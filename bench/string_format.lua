-- string_format: many string.format calls mixing %d, %s, %5.2f and %x
-- conversions; measures the format-spec parser and number formatting.
-- Size: arg[1] = number of calls of each kind (default 300000).
local n = tonumber(arg and arg[1]) or 300000
local M = 2147483647
local names = { "red", "green", "blue", "cyan", "magenta", "yellow", "black", "white", "orange", "purple" }
local fmt = string.format

local total, hash = 0, 0
for i = 1, n do
  local a = fmt("%d %s %5.2f %x", i, names[i % 10 + 1], i / 7, i)
  local b = fmt("[%s=%d]", names[(i * 3) % 10 + 1], i * 31)
  local c = fmt("%5.2f|%x|%d", (i % 1000) / 3, i * 17, -i)
  total = total + #a + #b + #c
  hash = (hash * 31 + a:byte(-1) + b:byte(2) + c:byte(3)) % M
end

print(string.format("string_format: length %d hash %d last %s", total,
  hash, fmt("%d %s %5.2f %x", n, names[n % 10 + 1], n / 7, n)))
