-- Integer arithmetic (§3.4.1): +, -, *, //, %, unary minus, ^ and / always float.
print(1 + 2, 7 - 10, 6 * 7, -5)
print(7 // 2, -7 // 2, 7 // -2, -7 // -2)
print(7 % 3, -7 % 3, 7 % -3, -7 % -3)
print(0 % 5, 5 % 5, 10 % 1)
print(2 ^ 10, 2 ^ 0.5 > 1.41, 10 / 2, 1 / 3 * 3 == 1.0)
print(math.type(2 ^ 2), math.type(4 / 2), math.type(4 // 2), math.type(4 % 2))
print(3 // 1, 3 % 1, -0 // 1)
local a, b = 100, 7
print(a + b, a - b, a * b, a // b, a % b)
-- floor division identity a == (a // b) * b + a % b
for _, x in ipairs({ -9, -8, -1, 0, 1, 8, 9, 123456789 }) do
  for _, y in ipairs({ -5, -3, -1, 1, 2, 7 }) do
    assert(x == (x // y) * y + x % y, x .. " " .. y)
    local m = x % y
    assert(m == 0 or (m > 0) == (y > 0))
  end
end
print("identity ok")
-- unary minus on literals and variables
local n = 5
print(-n, - -n, -(-n), -(n - 10))
-- large values
print(123456789 * 1000, 2 ^ 62 // 1 == 2.0 ^ 62, 1 << 62)
print(9007199254740993, 9007199254740993 + 0)
print(math.maxinteger, math.mininteger, -math.maxinteger - 1 == math.mininteger)
-- exponentiation associates right, unary minus binds weaker than ^
print(2 ^ 3 ^ 2, -2 ^ 2, (-2) ^ 2)
-- integer results of mixed ops
print(3 + 0.0, 3 * 1.0, 6 // 2.0, 7 % 2.0)
-- operations on integer-valued constants are folded but must give the same result
local k = 1 // 1
print(k, math.type(k))
