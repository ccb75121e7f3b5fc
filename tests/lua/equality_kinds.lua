-- == and ~= between every kind of value, against constants (EQK) and
-- registers (EQ), in loops so compiled code runs them many times: numbers
-- of both subtypes, strings (interned), nil, booleans, tables with and
-- without __eq, functions, coroutines.
local mt = {__eq = function(a, b) return a.id == b.id end}
local t1, t2 = setmetatable({id = 1}, mt), setmetatable({id = 1}, mt)
local p1, p2 = {}, {}
local f1 = function() end
local co = coroutine.create(f1)
local values = {
  0, 1, -1, 2^53, 1.0, 0.0, -0.0, 0/0, 1/0, 3.5, math.maxinteger, math.mininteger,
  "", "a", "abc", "1", "1.0", "nil", nil, true, false, t1, t2, p1, p2, f1, print, co,
}
local n = 28

local function eqk(v)
  local r = {}
  if v == 1 then r[#r + 1] = "1" end
  if v == 1.0 then r[#r + 1] = "1.0" end
  if v == 3.5 then r[#r + 1] = "3.5" end
  if v == 123456789012 then r[#r + 1] = "big" end
  if v == "abc" then r[#r + 1] = "abc" end
  if v ~= "a" then r[#r + 1] = "~a" end
  if v == "" then r[#r + 1] = "empty" end
  if v == nil then r[#r + 1] = "nil" end
  if v == true then r[#r + 1] = "true" end
  if v ~= false then r[#r + 1] = "~false" end
  return table.concat(r, ",")
end

local function eq(a, b)
  if a == b then return 1 end
  return 0
end

for round = 1, 3 do
  local out = {}
  for i = 1, n do
    out[#out + 1] = i .. ":" .. eqk(values[i])
  end
  if round == 3 then print(table.concat(out, " ")) end
  local m = {}
  for i = 1, n do
    local row = {}
    for j = 1, n do
      row[j] = eq(values[i], values[j])
    end
    m[i] = table.concat(row)
  end
  if round == 3 then
    for i = 1, n do print(i, m[i]) end
  end
end
print(eq(123456789012, 123456789012.0), eq(2^53, 2^53 + 1), eq(t1, t2), eq(p1, p2))
