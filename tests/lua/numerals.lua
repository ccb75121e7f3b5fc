-- Numeric constants (§3.1): decimal and hex integers, floats, hex floats, exponents;
-- decimal integers that overflow become floats; hex integers wrap around.
print(3, 345, 0xff, 0xBEBADA, 0XA, 0x0)
print(3.0, 3.1416, 314.16e-2, 0.31416E1, 34e1, .5, 5., 1e0, 1E+2, 1e-2)
print(0x0.1E, 0xA23p-4, 0X1.921FB54442D18P+1, 0x.8p1, 0x1p4, 0x10P-1)
print(math.type(0x10), math.type(0x1p4), math.type(1e2), math.type(100))
print(9223372036854775807, 9223372036854775808, -9223372036854775808)
print(math.type(9223372036854775807), math.type(9223372036854775808))
print(0xffffffffffffffff, 0x7fffffffffffffff, 0x8000000000000000, 0x10000000000000000)
print(0x1ffffffffffffffff, 0xfffffffffffffffff0)
print(1e308, 1e309, -1e309, 2e-324, 5e-324)
print(00012, 0012.5, 1.e1)
-- numerals followed by letters are malformed
local function try(src)
  local f, err = load("return " .. src, "=num")
  if f then print(src, "->", f()) else print(src, "->", err) end
end
try("3x")
try("0xg")
try("1e")
try("1e+")
try("0x")
try("1..2")
try("1 .. 2")
try("0x1p")
try("3.4.5")
try("08")
try("0x.p1")
