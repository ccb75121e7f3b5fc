local function add(a, b) return a + b end
local function count(n)
  local s = 0
  for i = 1, n do
    if i % 2 == 0 then s = s + i else s = s - 1 end
  end
  return s
end
local function fma(x, y, z) return x * y + z end
return add, count, fma
