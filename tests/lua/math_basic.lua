-- math library basics (§6.7).
print(math.floor(3.7), math.floor(-3.7), math.floor(5), math.ceil(3.2), math.ceil(-3.2), math.ceil(5))
print(math.type(math.floor(3.7)), math.type(math.floor(1e300)), math.floor(1e300) == 1e300)
print(math.abs(-5), math.abs(5), math.abs(-5.5), math.abs(math.mininteger), math.abs(-0.0))
print(math.max(1, 5, 3), math.max(-1.5, -2), math.max(2, 2.0), math.max(2.0, 2), math.min(4, 1, 7), math.min(1.0))
print(pcall(math.max), pcall(math.min))
print(math.huge, -math.huge, math.huge > math.maxinteger, math.pi)
print(string.format("%.10f", math.pi), math.pi == 3.141592653589793)
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(math.tointeger(5.0), math.tointeger(5.5), math.tointeger(5), math.tointeger("x"), math.tointeger({}))
print(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(7, -3), math.fmod(7.5, 2), math.fmod(-7.5, 2))
print(math.fmod(1, 0.0) ~= math.fmod(1, 0.0), pcall(math.fmod, 1, 0))
print(math.fmod(math.mininteger, -1), math.fmod(5, math.huge), math.type(math.fmod(7, 3)))
print(math.sqrt(16), math.sqrt(2), math.sqrt(-1) ~= math.sqrt(-1), math.sqrt(0))
print(math.type(1), math.type(1.0), math.type("1"), math.type(nil), pcall(math.type))
print(math.ult(1, 2), math.ult(-1, 2), math.ult(2, -1), math.ult(math.maxinteger, math.mininteger))
print(math.exp(0), math.log(1), math.log(8, 2), math.log(100, 10), math.log(27, 3))
print(math.sin(0), math.cos(0), math.tan(0), string.format("%.6f", math.atan(1, 1) * 4))
print(math.atan(0, -1) == math.pi, math.asin(1) == math.pi / 2, math.acos(1))
print(math.modf(3.7), math.modf(-3.7), math.modf(5), math.modf(math.huge), math.modf(-math.huge))
print(math.floor(-0.5), math.ceil(-0.5), math.floor(0.5))
print(math.abs(math.mininteger) == math.mininteger, -math.mininteger == math.mininteger)
-- random with a fixed seed: only properties are checked (the generator is not pinned)
math.randomseed(42)
local ok = true
for _ = 1, 1000 do
  local r = math.random()
  if r < 0 or r >= 1 then ok = false end
  local i = math.random(10)
  if i < 1 or i > 10 or math.type(i) ~= "integer" then ok = false end
  local j = math.random(-5, 5)
  if j < -5 or j > 5 then ok = false end
end
print("random ranges ok", ok)
math.randomseed(7)
local a1, a2 = math.random(1000), math.random(1000)
math.randomseed(7)
print("same seed same sequence", a1 == math.random(1000) and a2 == math.random(1000))
print(math.random(3, 3), pcall(math.random, 1, 2, 3))
