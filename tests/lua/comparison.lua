-- Relational operators (§3.4.4): numbers compare by mathematical value (int vs float
-- exactly), strings byte-wise (locale "C"), other types only by == (identity).
print(1 == 1.0, 1 < 1.5, 2 > 1.5, -0.0 == 0, 1 <= 1.0, 1 >= 1.0)
print(math.maxinteger < 2^63, math.maxinteger + 0.0 == 2^63, math.maxinteger == 2^63)
print(math.mininteger == -2^63, math.mininteger < -2^63, math.mininteger <= -2^63)
print(2^53 == 2^53 + 1, 9007199254740993 == 2^53, 9007199254740993 > 2^53)
print(9007199254740993 < 9007199254740994.0, 9007199254740992 == 9007199254740992.0)
local nan = 0 / 0
print(nan == nan, nan ~= nan, nan < nan, nan <= nan, 1 < nan, nan < 1, nan > 1)
print(math.huge > math.maxinteger, -math.huge < math.mininteger)
print("a" < "b", "a" < "B", "abc" < "abd", "abc" < "ab", "" == "", "a\0b" < "a\0c")
print("a\0" > "a", "10" < "9", "Z" < "a", "\255" > "a")
print(nil == false, 0 == false, "" == false, {} == {})
local t = {}
local u = t
print(t == u, t ~= u, print == print, "x" == "x")
-- mixed types: == false, < error
print(1 == "1", "1" ~= 1)
for _, pair in ipairs({ { 1, "1" }, { {}, {} }, { nil, 1 }, { true, false }, { "a", 1 } }) do
  local ok, msg = pcall(function() return pair[1] < pair[2] end)
  print(ok, msg)
end
local ok, msg = pcall(function() return {} <= 1 end)
print(ok, msg)
ok, msg = pcall(function() return print < print end)
print(ok, msg)
-- comparisons producing values used as conditions
local n = 0
for i = 1, 10 do if i % 2 == 0 and i > 4 then n = n + 1 end end
print(n)
print(3 > 2 and 2 > 1, not (1 > 2), (1 < 2) == true)
