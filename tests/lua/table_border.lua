-- The border of a table (§3.4.7): only tables with a unique border are printed,
-- any border is valid otherwise, so for non-sequences we only check the definition.
local function is_border(t, n)
  return (n == 0 or t[n] ~= nil) and t[n + 1] == nil
end
local seqs = {
  {},
  { 1 },
  { 1, 2, 3, 4, 5 },
  { nil, nil, 3 },
  { 1, nil, 3 },
  { 1, 2, 3, nil, 5, nil },
  { n = 3 },
}
for i, t in ipairs(seqs) do
  assert(is_border(t, #t), "border " .. i)
end
print("borders ok")
-- unique borders
print(#{ 1, 2, 3 }, #{ 1, 2, 3, nil, nil }, #{ n = 1, 1, 2 })
-- growing and shrinking at the end
local t = {}
for i = 1, 1000 do t[i] = true; assert(#t == i) end
for i = 1000, 1, -1 do t[i] = nil; assert(#t == i - 1) end
print("grow/shrink ok", #t)
-- filling a hash-only table with consecutive integers
local h = {}
for i = 1, 50 do h[i * 1.0] = i end
print(#h)
-- holes: check border property
local holes = {}
for i = 1, 100 do holes[i] = i end
holes[50] = nil
assert(is_border(holes, #holes))
holes[100] = nil
assert(is_border(holes, #holes))
print("holes ok")
-- sequence built backwards (lives in the hash part at first)
local back = {}
for i = 64, 1, -1 do back[i] = i end
print(#back)
-- table.unpack / ipairs stop independently of #
local mixed = { 1, 2, nil, 4 }
local c = 0
for _ in ipairs(mixed) do c = c + 1 end
print(c, select("#", table.unpack(mixed, 1, 4)))
-- rawlen ignores __len
print(rawlen(setmetatable({ 1, 2, 3 }, { __len = function() return 0 end })))
-- a huge-index table has two borders (0 and 2^40): either is fine
local big = { [2^40] = 1 }
assert(is_border(big, #big))
print("big ok")
