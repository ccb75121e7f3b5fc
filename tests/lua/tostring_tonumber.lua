-- tostring and tonumber (§6.1): number formatting ("%.14g" for floats, ".0" added when
-- the result looks like an integer), parsing with and without a base.
print(tostring(1), tostring(1.0), tostring(-1.5), tostring(1e15), tostring(1e16))
print(tostring(0.1), tostring(1 / 3), tostring(100 / 3), tostring(2^53), tostring(2^63))
print(tostring(-0.0), tostring(0.0), tostring(1 / 0), tostring(-1 / 0))
-- NaN: lua5.4 on x86-64 Linux prints 0/0 as "-nan" and -(0/0) as "nan"
print(tostring(0 / 0), tostring(-(0 / 0)))
print(math.maxinteger + 1.0, math.maxinteger + 0.0 == 2^63, math.mininteger + 0.0)
print(123456789012, 1234567890123456, 12345678901234567890)
print(3.14159265358979, 314159265358979e-14, 1e-7, 123e-7, 5e-324)
print(2^24, 2^31, 2^32, 2^52, 2^-10)
-- tonumber on strings
print(tonumber("10"), tonumber("10.0"), tonumber("  10  "), tonumber("\t\n10\r\v\f"))
print(tonumber("0x10"), tonumber("0X1p4"), tonumber("-0x10"), tonumber("- 1"), tonumber("--1"))
print(tonumber("1e"), tonumber("1e1"), tonumber(".5"), tonumber("5."), tonumber("."))
print(tonumber("0x"), tonumber(""), tonumber(" "), tonumber("1 2"), tonumber("1\0"))
print(tonumber("inf"), tonumber("nan"), tonumber("1e500"), tonumber("-1e500"))
print(tonumber("9223372036854775807"), tonumber("9223372036854775808"), tonumber("-9223372036854775808"))
print(tonumber("0x7fffffffffffffff"), tonumber("0xffffffffffffffff"), tonumber("0x10000000000000000"))
print(math.type(tonumber("10")), math.type(tonumber("1e1")), math.type(tonumber("0x10")))
print(tonumber(10), tonumber(1.5), tonumber(nil), tonumber(true), tonumber({}))
-- tonumber with a base
print(tonumber("ff", 16), tonumber("FF", 16), tonumber("777", 8), tonumber("11", 2))
print(tonumber("zz", 36), tonumber("Z", 36), tonumber("10", 36), tonumber("1", 2))
print(tonumber("8", 8), tonumber("2", 2), tonumber("g", 16), tonumber("", 10))
print(tonumber(" ff ", 16), tonumber("-ff", 16), tonumber("+ff", 16), tonumber("0x10", 16))
print(tonumber("1.5", 10), tonumber("7fffffffffffffff", 16), tonumber("ffffffffffffffff", 16))
print(tonumber("10000000000000000", 16), tonumber("-1", 10), math.type(tonumber("10", 10)))
for base = 2, 36 do
  io.write(tonumber("10", base), " ")
end
print()
print(pcall(tonumber, "10", 1))
print(pcall(tonumber, "10", 37))
print(pcall(tonumber, 10, 10))
print(pcall(tonumber))
-- integer vs float formatting in string.format %s and concatenation
print(string.format("%s %s %s", 1, 1.0, -0.0), 1 .. "", 1.0 .. "")
print(string.format("%.14g", 2^63), string.format("%d", 3.0), pcall(string.format, "%d", 3.5))
-- float->string->float round trip is not exact at %.14g (only 14 digits)
print(tostring(0.1 + 0.2), tonumber(tostring(0.1 + 0.2)) == 0.1 + 0.2)
print(string.format("%.17g", 0.1 + 0.2))
-- huge and tiny
print(1e300 * 1e10, -1e300 * 1e10, 1e-300 / 1e300, math.huge, -math.huge)
print(2^1023 * 2 == math.huge, math.tointeger(2^53), math.tointeger(2^63))
