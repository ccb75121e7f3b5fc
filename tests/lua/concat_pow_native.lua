-- Concatenation and exponentiation in loops (compiled code runs them):
-- numbers converted by .., __concat on tables and its errors with variable
-- names, ^ always giving floats, with integer, float and constant operands.
local mt = {__concat = function(a, b)
  local x = type(a) == "table" and a.name or tostring(a)
  local y = type(b) == "table" and b.name or tostring(b)
  return x .. "&" .. y
end}
local obj = setmetatable({name = "obj"}, mt)
local parts = {}
for i = 1, 40 do
  local s = "i=" .. i .. ";f=" .. (i / 4) .. ";"
  local p = 2 ^ (i % 7) + i ^ 0.5 + (i % 3) ^ 2 + 1.5 ^ i
  parts[#parts + 1] = s .. string.format("%.6g", p)
end
print(table.concat(parts, " "))
print(obj .. "x", "x" .. obj, 1 .. obj, obj .. obj .. "!")
print(2 ^ 10, 2 ^ -1, (-8) ^ (1 / 3), 0 ^ 0, math.type(2 ^ 2))
for _, bad in ipairs({"nil", "table", "boolean"}) do
  print(pcall(function()
    local v = bad == "nil" and nil or bad == "table" and {} or true
    return "x" .. v
  end))
end
print(pcall(function() local t = {} return t ^ 2 end))
print(pcall(function() return "3" ^ 2 end))
