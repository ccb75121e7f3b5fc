-- Operator precedence and associativity (§3.4.8), from lowest to highest:
-- or; and; < > <= >= ~= ==; |; ~; &; << >>; ..; + -; * / // %; unary; ^
print(1 + 2 * 3, (1 + 2) * 3, 2 * 3 ^ 2, -2 ^ 2, 2 ^ -1)
print(2 ^ 3 ^ 2, (2 ^ 3) ^ 2, 100 / 10 / 2, 100 // 10 // 3, 2 - 3 - 4)
print("a" .. "b" .. "c", 1 .. 2 .. 3, "x" .. 1 + 2, 2 * 3 .. "")
print(1 < 2 == true, not 1 == 2, not (1 == 2), not nil == true)
print(1 or 2 and 3, nil and 1 or 2, false or nil, nil or false, 1 and nil)
print(1 + 1 == 2 and "yes" or "no", 1 < 2 and 2 < 3)
print(- - 2, not not nil, #"abc" + 1, -#"ab", -2 ^ 2 == -(2 ^ 2))
-- unary operators bind weaker than ^: #"ab" ^ 2 is #("ab" ^ 2), an error
print(pcall(function() return #"ab" ^ 2 end))
print(1 | 2 & 3, (1 | 2) & 3, 1 << 2 | 1, 5 & 3 ~ 1, 1 ~ 3 | 4)
print("1" .. "0" + 5, 2 .. 3 + 4 .. 5)
-- .. binds tighter than <<: 3 .. 4 << 1 is "34" << 1, an error (no string coercion)
print(pcall(function() return 3 .. 4 << 1 end))
print(2 ^ - 2, -3 % 5, (-3) % 5, - (3 % 5), ~0 + 1, ~(0 + 1))
print(1 == 1 ~= false, 5 > 3 == (2 > 1))
-- and/or short-circuit and return operands, not booleans
local calls = {}
local function f(v, name) calls[#calls + 1] = name; return v end
local r = f(nil, "a") and f(1, "b") or f(2, "c") and f(false, "d") or f("e", "e")
print(r, table.concat(calls, ","))
-- comparison of and/or results
print((nil or 0) + 1, (false and 1) == false, 0 and "zero is true")
