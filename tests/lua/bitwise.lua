-- Bitwise operators (§3.4.2): operate on 64-bit integers; floats with exact integer
-- values are converted; shifts are logical; shifts >= 64 give 0. Strings are NOT
-- converted in 5.4 (the string metatable has no bitwise metamethods).
print(0xF0 & 0x3C, 0xF0 | 0x0F, 0xF0 ~ 0xFF, ~0, ~5)
print(1 << 0, 1 << 1, 1 << 63, 1 << 64, 1 << 65, 1 << -1)
print(-1 >> 1, -1 >> 63, -1 >> 64, 256 >> 4, 256 >> -4, 1 >> -63)
print(math.mininteger >> 63, math.maxinteger << 1, ~math.maxinteger)
print(3.0 & 1, 2.0 ^ 2 | 0, -0.0 | 0, 2^62 | 0)
print(math.type(3.0 | 0), math.type(8.0 >> 1))
print(5 & -1, 5 | -8, -8 ~ 7)
-- precedence: | lowest, then ~, then &, then shifts, then .. (concat binds tighter than shifts)
print(1 | 2 ~ 3 & 4, 1 << 2 + 1, 2 & 3 == 2)
print(0xFF & 0x0F << 4, (0xFF & 0x0F) << 4)
-- xor swap trick
local a, b = 12345, 67890
a = a ~ b; b = a ~ b; a = a ~ b
print(a, b)
-- popcount via loop
local function popcount(x)
  local c = 0
  while x ~= 0 do
    x = x & (x - 1)
    c = c + 1
  end
  return c
end
print(popcount(0), popcount(255), popcount(-1), popcount(math.mininteger))
-- errors
local ok, msg = pcall(function() return 1.5 | 0 end)
print(ok, msg)
ok, msg = pcall(function() return "3" & 1 end)
print(ok, msg)
ok, msg = pcall(function() local s = "8"; return s >> 1 end)
print(ok, msg)
ok, msg = pcall(function() return 2^64 | 0 end)
print(ok, msg)
ok, msg = pcall(function() return "abc" | 0 end)
print(ok, msg)
ok, msg = pcall(function() return {} & 1 end)
print(ok, msg)
ok, msg = pcall(function() return math.huge & 1 end)
print(ok, msg)
