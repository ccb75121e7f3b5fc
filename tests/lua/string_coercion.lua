-- String <-> number coercions (§3.4.3): arithmetic on strings goes through the string
-- metatable's metamethods; concatenation converts numbers to strings.
print("10" + 1, "10" * "2", "3.5" + 1, "0x10" + 0, " 5 " - 1, "1e2" * 1)
print(math.type("10" + 1), math.type("10" + 1.0), math.type("10.0" + 1), math.type("1e1" + 0))
print("10" // "3", "10" % "3", "2" ^ "3", "7" / "2", -"3", -"3.0", -" 0x10 ")
print(10 .. 20, 1.5 .. "", -0.0 .. "", 2^63 .. "", math.mininteger .. "")
print(1 .. "", 1.0 .. "", 1e100 .. "", (0/0 ~= 0/0) and "nan ok")
-- comparisons never coerce
print("10" == 10, 10 == "10", "abc" < "abd", "Z" < "a", "" < "a", "a" < "aa")
local ok, msg = pcall(function() return "10" < 5 end)
print(ok, msg)
-- failing coercions
ok, msg = pcall(function() return "abc" + 1 end)
print(ok, msg)
ok, msg = pcall(function() local s = "1x"; return s * 2 end)
print(ok, msg)
ok, msg = pcall(function() return {} .. "x" end)
print(ok, msg)
ok, msg = pcall(function() return "x" .. true end)
print(ok, msg)
ok, msg = pcall(function() return "" + 0 end)
print(ok, msg)
-- numbers in string keys do not alias numeric keys
local t = {}
t["1"] = "string key"
t[1] = "integer key"
print(t["1"], t[1], #t)
-- tostring/tonumber round trip
for _, v in ipairs({ 0, -1, 1.5, 1e300, math.maxinteger, math.mininteger }) do
  assert(tonumber(tostring(v)) == v)
end
print("round trip ok")
-- string arithmetic result types follow the converted values
print("9007199254740993" + 0, "9223372036854775807" + 0, "9223372036854775808" + 0)
print(string.format("%d", "10"), ("5"):rep(3), #("" .. 123))
