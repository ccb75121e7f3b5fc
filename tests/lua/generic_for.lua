-- Generic for (§3.3.5): iterator function, state, control variable, closing value.
-- stateless iterator
local function iter(limit, i)
  if i < limit then return i + 1, (i + 1) * (i + 1) end
end
for i, sq in iter, 5, 0 do io.write(i, ":", sq, " ") end
print()
-- stateful closure iterator
local function range(n)
  local i = 0
  return function() i = i + 1; if i <= n then return i end end
end
local s = 0
for v in range(100) do s = s + v end
print(s)
-- the loop ends when the first value is nil, even if others are not
local function firstnil()
  local i = 0
  return function() i = i + 1; if i == 3 then return nil, "second" end return i, "x" end
end
for a, b in firstnil() do io.write(a, b, " ") end
print()
-- false as first value does not end the loop
local function falsy()
  local i = 0
  return function() i = i + 1; if i == 1 then return false end if i == 2 then return "v" end end
end
for v in falsy() do io.write(tostring(v), " ") end
print()
-- extra variables are nil, extra values discarded
for a, b, c, d in ipairs({ "x" }) do print(a, b, c, d) end
-- modifying the control variable does not change the sequence
for i, v in ipairs({ 10, 20, 30 }) do
  i = i * 100
  io.write(i, "/", v, " ")
end
print()
-- string iterators
local words = {}
for w in string.gmatch("the quick brown fox", "%a+") do words[#words + 1] = w end
print(#words, words[4])
for k, v in string.gmatch("a=1, b=2, c=3", "(%w+)=(%w+)") do io.write(k, "->", v, " ") end
print()
-- nested generic loops
local grid = { { 1, 2 }, { 3, 4 }, { 5, 6 } }
local total = 0
for _, row in ipairs(grid) do for _, cell in ipairs(row) do total = total + cell end end
print(total)
-- the explist is adjusted to 4 values (iterator, state, control, closing)
local function gen() return next, { a = 1 }, nil, nil, "extra" end
for k, v in gen() do print(k, v) end
-- iterator that is a callable table
local citer = setmetatable({}, { __call = function(_, st, c) if c < st then return c + 1 end end })
for i in citer, 3, 0 do io.write(i, " ") end
print()
-- errors
print(pcall(function() for x in 5 do end end))
print(pcall(function() for x in nil do end end))
print(pcall(function() local t = {}; for x in t do end end))
-- sorted traversal of a hash table
local h = { banana = 3, apple = 1, cherry = 2 }
local keys = {}
for k in pairs(h) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do io.write(k, "=", h[k], " ") end
print()
-- break out of generic for keeps other state intact
local it = range(10)
for v in it do if v == 4 then break end end
print(it(), it())
