-- A loop whose values change from integer to float to string mid-way: the
-- native code's integer path, its float path, and the exit to the interpreter
-- (string arithmetic goes through the string metatable) all give the right
-- results.
local function step(acc, x) return acc + x * 2 end
local values = {}
for i = 1, 300 do values[i] = i end
for i = 301, 600 do values[i] = i + 0.5 end
for i = 601, 900 do values[i] = tostring(i) end
local acc = 0
for i = 1, #values do acc = step(acc, values[i]) end
print(acc, math.type(acc))
local s = 0
for i = 1, 100 do
  local v = values[i * 9]
  if i % 3 == 0 then s = s - v else s = s + v end
end
print(s)
