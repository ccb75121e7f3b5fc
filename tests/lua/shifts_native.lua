-- Shifts and bitwise not with Lua 5.4's rules (negative counts shift the
-- other way, counts of 64 or more give 0, >> is logical), by registers and
-- by immediates, in loops so compiled code runs them; integral floats
-- convert, strings and other values raise the usual errors.
local xs = {0, 1, -1, 5, 0x7fffffffffffffff, math.mininteger, 0x123456789abcdef, -12345}
local ns = {0, 1, 2, 7, 31, 63, 64, 65, 100, -1, -2, -63, -64, -65, math.mininteger, math.maxinteger}
local acc = {}
for round = 1, 2 do
  for _, x in ipairs(xs) do
    local row = {}
    for _, n in ipairs(ns) do
      row[#row + 1] = string.format("%x/%x", x << n, x >> n)
    end
    row[#row + 1] = string.format("%x %x %x %x %x", x << 3, x >> 3, 1 << (x & 63), 5 >> 1, ~x)
    if round == 2 then acc[#acc + 1] = table.concat(row, " ") end
  end
end
print(table.concat(acc, "\n"))
print(3.0 << 2, ~5.0, 2^53 >> 50)
print(pcall(function() return "8" >> 1 end))
print(pcall(function() return 1.5 << 1 end))
print(pcall(function() return {} >> 1 end))
print(pcall(function() local s = "x" return ~s end))
