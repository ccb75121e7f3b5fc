-- Word frequency counter: tokenizes a text, counts case-insensitively, prints the top
-- words sorted by count (descending) then alphabetically.
local text = [[
It was the best of times, it was the worst of times, it was the age of wisdom,
it was the age of foolishness, it was the epoch of belief, it was the epoch of
incredulity, it was the season of Light, it was the season of Darkness, it was the
spring of hope, it was the winter of despair, we had everything before us, we had
nothing before us, we were all going direct to Heaven, we were all going direct
the other way -- in short, the period was so far like the present period, that some
of its noisiest authorities insisted on its being received, for good or for evil,
in the superlative degree of comparison only.
]]
local counts, total, longest = {}, 0, ""
for word in text:gmatch("%a+") do
  local w = word:lower()
  counts[w] = (counts[w] or 0) + 1
  total = total + 1
  if #w > #longest or (#w == #longest and w < longest) then longest = w end
end
local words = {}
for w in pairs(counts) do words[#words + 1] = w end
table.sort(words, function(a, b)
  if counts[a] ~= counts[b] then return counts[a] > counts[b] end
  return a < b
end)
print("total words", total, "distinct", #words, "longest", longest)
for i = 1, 12 do print(string.format("%2d. %-10s %3d", i, words[i], counts[words[i]])) end
-- words that appear exactly once, alphabetically, first 10
local once = {}
for _, w in ipairs(words) do if counts[w] == 1 then once[#once + 1] = w end end
table.sort(once)
print(#once, table.concat(once, " ", 1, 10))
-- letter frequency
local letters = {}
for c in text:lower():gmatch("%a") do letters[c] = (letters[c] or 0) + 1 end
local ls = {}
for c, n in pairs(letters) do ls[#ls + 1] = { c = c, n = n } end
table.sort(ls, function(a, b) if a.n ~= b.n then return a.n > b.n end return a.c < b.c end)
local top = {}
for i = 1, 5 do top[i] = ls[i].c .. "=" .. ls[i].n end
print(table.concat(top, " "))
-- bigrams
local prev, bigrams = nil, {}
for word in text:lower():gmatch("%a+") do
  if prev then local b = prev .. " " .. word; bigrams[b] = (bigrams[b] or 0) + 1 end
  prev = word
end
local bl = {}
for b, n in pairs(bigrams) do bl[#bl + 1] = b end
table.sort(bl, function(a, b) if bigrams[a] ~= bigrams[b] then return bigrams[a] > bigrams[b] end return a < b end)
for i = 1, 3 do print(bl[i], bigrams[bl[i]]) end
