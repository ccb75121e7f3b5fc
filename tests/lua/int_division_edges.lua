-- Integer // and % through every sign combination, zero divisors and the
-- minint // -1 edge, inside functions and loops that the JIT compiles.
local r = {}
local vals = {7, -7, 0, 1, -1, 3, -3, math.maxinteger, math.mininteger, 5}
local function m(a, b) return a % b, a // b end
for _, a in ipairs(vals) do
  for _, b in ipairs(vals) do
    if b ~= 0 then local x, y = m(a, b); r[#r+1] = x .. "," .. y end
    local ok = pcall(m, a, 0); r[#r+1] = tostring(ok)
  end
end
local k = 0
for i = -20, 20 do k = k + i % 7 + i // 3 + i % -4 + i // -5 end
print(table.concat(r, " "), k)
