-- Integer/float subtypes and conversions (§3.4.3, §2.1).
print(3 == 3.0, math.type(3), math.type(3.0), math.type("3"), math.type(nil))
print(1 // 1, 1.0 // 1, 1 // 1.0, 7 % 2, 7.0 % 2, -7 % 2.0)
print(7 // 2, -7 // 2, 7 // -2, 7.0 // 2, -7.0 // 2, -7 // 2.0)
print(7 % 3, -7 % 3, 7 % -3, -7 % -3, 7.5 % 3, -7.5 % 3)
print(1 / 1, 3 / 2, math.type(4 / 2), 2^2, math.type(2^2))
-- integer division by zero is an error, float division by zero gives inf/nan
print(pcall(function() local z = 0; return 1 // z end))
print(pcall(function() local z = 0; return 1 % z end))
print(1 // 0.0, -1 // 0.0, 1 / 0, -1 / 0, 0.0 / 0 ~= 0.0 / 0, 1 % 0.0 ~= 1 % 0.0)
-- float -> integer conversion in bitwise ops and math.tointeger
print(3.0 | 0, math.type(3.0 | 0), 2^53 | 0, -2.0 & -1)
print(math.tointeger(3.0), math.tointeger(3.5), math.tointeger(2^63), math.tointeger(-2^63))
print(pcall(function() return 3.5 | 0 end))
print(pcall(function() return 2^63 | 0 end))
print(pcall(function() return (0 / 0) | 0 end))
-- table keys: floats with integral values are normalized to integers
local t = {}
t[1.0] = "a"
t[2] = "b"
t[3.5] = "c"
print(t[1], t[2.0], t[3.5], #t)
for k in pairs({ [1.0] = true }) do print(k, math.type(k)) end
t[2^53] = "big"
print(t[2^53 | 0], t[9007199254740992])
-- -0.0 and 0 are the same key
t[0] = "zero"
print(t[-0.0], t[0.0])
-- string -> number conversions keep the subtype of the numeral
print("10" + 0, "10.0" + 0, "1e1" + 0, "0x10" + 0, " 10 " * 1)
-- float -> string keeps ".0"
print(1.0, -1.0, 100.0, 1e15, 123456.0)
-- integer/float comparisons are exact
print(2^53 == 2^53 + 1.0, (2^53 | 0) + 1 == 2^53 + 1, math.maxinteger < math.huge)
print(math.maxinteger == math.maxinteger + 0.0, math.maxinteger - 1 < math.maxinteger + 0.0)
-- math.floor/ceil return integers when they fit
print(math.floor(3.7), math.type(math.floor(3.7)), math.ceil(-3.7), math.floor(2^70))
print(math.floor(-0.0), math.ceil(-0.5), math.floor(3), math.type(math.floor(1e100)))
-- string.format %d needs an exact integer
print(string.format("%d %d", 3, 3.0), pcall(string.format, "%d", 3.1))
-- for loops: float start makes the loop variable float
for i = 1.0, 2 do io.write(math.type(i), " ") end
print()
-- integer overflow wraps, float does not
print(math.maxinteger + 1 == math.mininteger, math.maxinteger + 1.0 > math.maxinteger)
-- exponent is always float
print(2^2, 10^0, 0^0, (-8)^(1/3) ~= (-8)^(1/3))
