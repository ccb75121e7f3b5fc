-- Float arithmetic and float formatting (%.14g, always with a ".0" or exponent).
print(1.5 + 2.25, 0.1 + 0.2, 0.1 + 0.2 == 0.3, 1e15, 1e16, 1e100)
print(3.0, -3.0, 2^53, 2^63, -2^63, 1e-5, 123.456e2)
print(10 / 4, 1 / 0, -1 / 0, 0 / 0 ~= 0 / 0)
print(7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, 7.5 % -2)
print(5.0 // 0, -5.0 // 0, 5 // 0.0, 5 % math.huge, -5 % math.huge)
print(math.huge, -math.huge, math.huge // 1, math.pi)
print(3.14159265358979, 100.0, 1e14, 1e15 + 0.5, 123456789012345.0)
print(0.1, 1/3, 2/3, 1e-300 * 1e-300, 2^-1074 > 0)
print(-0.0, 0.0, 0.0 == -0.0, 1 / -0.0)
print(255 / 5, 2^0.5 * 2^0.5 == 2, math.sqrt(16))
-- float accumulation
local s = 0.0
for i = 1, 10 do s = s + 0.1 end
print(s, s == 1.0, string.format("%.17g", s))
-- float equality with integers
print(1.0 == 1, 2^53 == 2^53 + 1, math.type(1e0), math.type(1))
-- fmod-like behaviour of % with floats keeps the sign of the divisor
print(5.5 % 2, -5.5 % 2, 5.5 % -2, -5.5 % -2)
print(math.fmod(5.5, 2), math.fmod(-5.5, 2))
-- inf/nan arithmetic
local inf, nan = math.huge, 0 / 0
print(inf - inf ~= inf - inf, inf * 0 ~= inf * 0, inf + 1 == inf, nan ~= nan)
print(-inf < inf, nan < 1, nan > 1, nan == nan)
print(1e308 * 10, -1e308 * 10)
