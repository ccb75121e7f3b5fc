-- Integer overflow wraps around (two's complement, §3.4.1); conversions that cannot
-- fit go to floats; loops never overflow.
local max, min = math.maxinteger, math.mininteger
print(max + 1, min - 1, max * 2, min * -1, -min, max + max)
print(max * max, min * min, min + min, 2^62 // 1 | 0)
print((1 << 62) * 2, (1 << 62) * 4, 3037000500 * 3037000500)
print(min // -1, min % -1, min // 1, min % 1)
print(max // -1, max % -1, -1 // max, min // max)
print(math.abs(min), -min == min, min < 0)
-- unary minus on the most negative integer
local m = min
print(-m, - -m, ~m, ~max)
-- string -> integer overflow: decimal numerals that do not fit become floats
print("9223372036854775807" + 0, "9223372036854775808" + 0, math.type("9223372036854775808" + 0))
print(tonumber("-9223372036854775809"), math.type(tonumber("-9223372036854775809")))
print(9223372036854775807 + 0 == max, math.type(9223372036854775808))
-- hex numerals wrap instead
print(0x7fffffffffffffff + 1 == min, 0xffffffffffffffff, tonumber("0x1ffffffffffffffff"))
-- float -> integer at the edges
print(math.tointeger(2^63), math.tointeger(-2^63), math.tointeger(2^63 - 1024))
print(pcall(function() return 2^63 | 0 end))
print((-2^63) | 0 == min)
-- for loops near the edges do not wrap
local c = 0
for i = max - 5, max do c = c + 1 end
print(c)
c = 0
for i = min, min + 5 do c = c + 1 end
print(c)
c = 0
for i = min + 5, min, -1 do c = c + 1 end
print(c)
c = 0
for i = max, max - 10, -3 do c = c + 1 end
print(c)
c = 0
for i = 0, max, max // 2 do c = c + 1 end
print(c)
c = 0
for i = min, max, max do c = c + 1 end
print(c)
-- multiplication wrap used for hashing (deterministic)
local h = 0
for i = 1, 100 do h = h * 31 + i end
print(h)
local fnv = -3750763034362895579 -- 14695981039346656037 as a signed integer
for byte in ("hello"):gmatch(".") do fnv = (fnv ~ byte:byte()) * 1099511628211 end
print(fnv, string.format("%x", fnv))
-- comparison across the wrap
print(max + 1 < max, math.ult(max, max + 1))
-- string.format of extremes
print(string.format("%d %d %x %X", max, min, min, -1))
print(string.format("%5.1f", max), string.format("%.0f", min))
