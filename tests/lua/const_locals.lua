-- <const> local variables (§3.3.7): assignment is a compile-time error.
local x <const> = 10
local s <const> = "str"
local t <const> = { 1 }
print(x, s, t[1])
t[1] = 2 -- the table itself is not constant
print(t[1])
local function f() return x * 2 end -- captured constants
print(f())
local a <const>, b = 1, 2
b = 3
print(a, b)
-- compile errors
local function try(src)
  local fn, err = load(src, "=const")
  print(fn and "compiled" or "nil", err)
end
try("local c <const> = 1; c = 2")
try("local c <const> = 1; local function g() c = 2 end")
try("local c <const> = 1; c, d = 2, 3")
try("local c <foo> = 1")
try("local c <const>")
try("local a <close>, b <close> = nil, nil")
try("local c <const> = 1; for i = 1, 2 do c = i end")
-- const without initializer is nil and still constant
local n <const> = nil
print(n)
-- shadowing a const is allowed
local k <const> = 1
do
  local k = 2
  k = k + 1
  print(k)
end
print(k)
-- constant folding with constants
local K1 <const> = 3
local K2 <const> = K1 * 4 + 1
print(K2, math.type(K2), K1 / 2, K1 // 2)
local STR <const> = "a" .. "b"
print(STR)
