-- next, pairs and ipairs (§6.1). Iteration order is unspecified, so keys are sorted
-- before printing.
local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  return table.concat(ks, ",")
end
local t = { 1, 2, 3, a = "A", b = "B", [10] = 10, [2.5] = "f", [true] = "t" }
print(sorted_keys(t))
print(next({}), next({}, nil), next(t) ~= nil)
print(rawequal(next, pairs({})))
-- next visits every pair exactly once
local seen, n = {}, 0
local k, v = next(t)
while k ~= nil do
  assert(not seen[k]); seen[k] = true; n = n + 1
  assert(t[k] == v)
  k, v = next(t, k)
end
print("visited", n)
-- clearing fields during traversal is allowed
local c = {}
for i = 1, 100 do c[i] = i; c["s" .. i] = i end
for key in pairs(c) do c[key] = nil end
print(next(c))
-- assigning existing fields during traversal is allowed
local d = { x = 1, y = 2, z = 3 }
for key, val in pairs(d) do d[key] = val * 10 end
print(d.x, d.y, d.z)
-- ipairs stops at the first nil and respects __index (5.4)
local arr = { "a", "b", nil, "d" }
for i, val in ipairs(arr) do io.write(i, "=", val, " ") end
print()
local proxy = setmetatable({}, { __index = function(_, i) if i <= 3 then return i * 11 end end })
for i, val in ipairs(proxy) do io.write(i, "=", val, " ") end
print()
-- __pairs
local mt = { __pairs = function(self)
  local i = 0
  return function() i = i + 1; if i <= 3 then return i, "p" .. i end end, self, nil
end }
for i, val in pairs(setmetatable({}, mt)) do io.write(i, "=", val, " ") end
print()
-- next with an invalid key
print(pcall(next, {}, "nokey"))
print(pcall(next, { a = 1 }, 1))
print(pcall(ipairs))
-- pairs(nil) itself succeeds (5.4 only checks an argument exists); the loop fails
print(select("#", pairs(nil)), (pairs(nil)) == next)
print(pcall(function() for _ in pairs(nil) do end end))
print(pcall(pairs))
print(pcall(function() for _ in ipairs(nil) do end end))
-- pairs returns next, the table and nil
local f, s, init = pairs(t)
print(f == next, s == t, init)
local g, s2, i2 = ipairs(t)
print(type(g), s2 == t, i2)
-- numeric keys in sorted order via ipairs over a collected list
local nums = { [3] = "c", [1] = "a", [2] = "b", [5] = "e" }
local keys = {}
for key in pairs(nums) do keys[#keys + 1] = key end
table.sort(keys)
print(table.concat(keys, " "))
