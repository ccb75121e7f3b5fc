-- table.sort on 10,000 pseudo-random numbers from a deterministic LCG; checks order,
-- that the multiset is preserved, and several comparators.
local seed = 12345
local function lcg()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
end
local N = 10000
local t, sum, xor = {}, 0, 0
for i = 1, N do
  local v = lcg() % 100000
  t[i] = v
  sum = sum + v
  xor = xor ~ v
end
table.sort(t)
local ok = true
local sum2, xor2 = 0, 0
for i = 1, N do
  if i > 1 and t[i - 1] > t[i] then ok = false end
  sum2 = sum2 + t[i]
  xor2 = xor2 ~ t[i]
end
print("ascending", ok, #t == N, sum == sum2, xor == xor2)
print("min/median/max", t[1], t[N // 2], t[N])
table.sort(t, function(a, b) return a > b end)
ok = true
for i = 2, N do if t[i - 1] < t[i] then ok = false end end
print("descending", ok, t[1], t[N])
-- already sorted, reversed, and all-equal inputs
local sorted, reversed, equal = {}, {}, {}
for i = 1, N do sorted[i] = i; reversed[i] = N - i + 1; equal[i] = 7 end
table.sort(sorted); table.sort(reversed); table.sort(equal)
ok = true
for i = 1, N do if sorted[i] ~= i or reversed[i] ~= i or equal[i] ~= 7 then ok = false end end
print("special inputs", ok)
-- floats and mixed integer/float
local mixed = {}
for i = 1, 1000 do mixed[i] = (lcg() % 2 == 0) and (lcg() % 1000) or ((lcg() % 100000) / 100) end
table.sort(mixed)
ok = true
for i = 2, #mixed do if mixed[i - 1] > mixed[i] then ok = false end end
print("mixed numbers", ok)
-- strings
local strs = {}
for i = 1, 2000 do strs[i] = string.format("k%05d", lcg() % 50000) end
table.sort(strs)
ok = true
for i = 2, #strs do if strs[i - 1] > strs[i] then ok = false end end
print("strings", ok, strs[1] <= strs[#strs])
-- records by key with a tie-breaker (total order, so the result is unique)
local recs = {}
for i = 1, 3000 do recs[i] = { key = lcg() % 100, id = i } end
table.sort(recs, function(a, b) if a.key ~= b.key then return a.key < b.key end return a.id < b.id end)
ok = true
for i = 2, #recs do
  local a, b = recs[i - 1], recs[i]
  if a.key > b.key or (a.key == b.key and a.id > b.id) then ok = false end
end
print("records", ok, recs[1].key, recs[#recs].key)
-- checksum of the first 10 sorted values after re-seeding, fully determined
seed = 42
local small = {}
for i = 1, 20 do small[i] = lcg() % 1000 end
table.sort(small)
print(table.concat(small, " "))
