-- table_concat: table.concat of arrays of short strings and numbers, with
-- and without separators and sub-ranges, plus table.insert to fill them.
-- Measures table.concat's buffer building and number-to-string conversion.
-- Size: arg[1] = rounds (default 100) over 20,000-element arrays.
local rounds = tonumber(arg and arg[1]) or 100
local M = 2147483647
local N = 20000

local strs, nums = {}, {}
for i = 1, N do
  strs[i] = "s" .. (i % 97)
  nums[i] = i * 3
end

local total, hash = 0, 0
for r = 1, rounds do
  local t = {}
  for i = 1, N, 2 do table.insert(t, strs[i]); table.insert(t, nums[i + 1] + r) end
  local a = table.concat(t)
  local b = table.concat(strs, ", ")
  local c = table.concat(nums, "|", r, N - r)
  total = total + #a + #b + #c
  hash = (hash * 31 + a:byte(r) + b:byte(-r) + c:byte(r)) % M
end

print(string.format("table_concat: length %d hash %d", total, hash))
