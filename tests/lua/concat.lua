-- Concatenation (§3.4.6): strings and numbers; right associative; __concat otherwise.
print("a" .. "b", "a" .. 1, 1 .. "a", 1 .. 2, 1.5 .. 2, -1 .. -2, 2^63 .. "")
print("" .. "", #("x" .. ""), "x" .. 10 // 3 .. "y")
local parts = {}
for i = 1, 5 do parts[#parts + 1] = i .. ":" .. i * i end
print(table.concat(parts, " "))
-- long chains
local s = "a" .. "b" .. "c" .. "d" .. "e" .. "f" .. "g" .. "h" .. "i" .. "j"
print(s, #s)
local x, y, z = "x", 2, 3.0
print(x .. y .. z, y .. z .. x)
-- building strings in a loop
local acc = ""
for i = 1, 100 do acc = acc .. (i % 10) end
print(#acc, acc:sub(1, 20))
-- errors name the offending operand
local ok, msg = pcall(function() local t = {}; return "a" .. t end)
print(ok, msg)
ok, msg = pcall(function() return "a" .. nil end)
print(ok, msg)
ok, msg = pcall(function() return undefinedglobal .. "a" end)
print(ok, msg)
ok, msg = pcall(function() local t = { f = true }; return t.f .. "a" end)
print(ok, msg)
ok, msg = pcall(function() return 1 .. {} .. "b" end)
print(ok, msg)
-- __concat on either side, and in the middle of a chain
local mt = { __concat = function(a, b)
  local function s(v) return type(v) == "table" and v.name or tostring(v) end
  return "(" .. s(a) .. "+" .. s(b) .. ")"
end }
local A = setmetatable({ name = "A" }, mt)
print(A .. "x", "x" .. A, 1 .. A, A .. A)
print("a" .. "b" .. A .. "c" .. "d")
print(A .. 1 .. 2)
-- numbers are formatted like tostring
print(1e100 .. "", 0.1 .. "", -0.0 .. "", 100 .. "", 100.0 .. "")
