-- table library (§6.6): insert, remove, concat, sort, unpack, pack, move.
local t = {}
table.insert(t, "a")
table.insert(t, "c")
table.insert(t, 2, "b")
table.insert(t, 1, "start")
table.insert(t, #t + 1, "end")
print(table.concat(t, ","), #t)
print(table.remove(t), table.remove(t, 1), table.concat(t, ","))
print(table.remove(t, 2), table.concat(t, ","))
print(table.remove({}), table.remove({}, 0), #t)
local one = { "x" }
print(table.remove(one, 1), #one, table.remove(one, 1))
print(pcall(table.remove, { 1, 2, 3 }, 7))
print(pcall(table.insert, { 1 }, 0, "x"))
print(pcall(table.insert, { 1 }, 3, "x"))
-- concat
print(table.concat({}), table.concat({ 1, 2, 3 }), table.concat({ 1, 2.5, "x" }, "-"))
print(table.concat({ "a", "b", "c", "d" }, ",", 2, 3), table.concat({ "a" }, ",", 3, 2))
print(pcall(table.concat, { 1, nil, 3 }, ",", 1, 3))
print(pcall(table.concat, { true }))
-- sort
local nums = { 5, 2, 8, 1, 9, 3, 7, 4, 6, 0 }
table.sort(nums)
print(table.concat(nums, " "))
table.sort(nums, function(a, b) return a > b end)
print(table.concat(nums, " "))
local words = { "banana", "Apple", "cherry", "apple", "Banana" }
table.sort(words)
print(table.concat(words, " "))
table.sort(words, function(a, b) return a:lower() < b:lower() or (a:lower() == b:lower() and a < b) end)
print(table.concat(words, " "))
local recs = { { n = "x", v = 3 }, { n = "y", v = 1 }, { n = "z", v = 2 } }
table.sort(recs, function(a, b) return a.v < b.v end)
print(recs[1].n, recs[2].n, recs[3].n)
local floats = { 3.5, -1, 2, 0.5, math.huge, -math.huge }
table.sort(floats)
print(table.concat(floats, " "))
-- which pair is compared first depends on the algorithm: check only the message kind
local okS, errS = pcall(table.sort, { 1, "x", 2 })
print(okS, (errS:gsub("compare %a+ with %a+", "compare A with B")))
local single, empty = { 1 }, {}
table.sort(single); table.sort(empty)
print(#single, #empty)
-- unpack
print(table.unpack({ 1, 2, 3 }))
print(table.unpack({ 1, 2, 3 }, 2))
print(table.unpack({ 1, 2, 3 }, 2, 5))
print(table.unpack({ 1, 2, 3 }, 3, 2))
print(select("#", table.unpack({}, 1, 3)))
print(pcall(table.unpack, {}, 1, 1e8))
-- pack
local p = table.pack()
print(p.n, #p)
p = table.pack(nil, nil)
print(p.n, p[1], p[2])
-- move
local src = { 1, 2, 3, 4, 5 }
print(table.concat(table.move(src, 2, 4, 1), ","))
print(table.concat(table.move({ 1, 2, 3 }, 1, 3, 3), ","))
local dst = table.move({ 1, 2, 3 }, 1, 3, 2, { "a", "b" })
print(table.concat(dst, ","))
-- functions respect metamethods (5.4 uses lua_geti/lua_seti)
local log = {}
local proxy = setmetatable({}, {
  __index = function(_, k) return "v" .. k end,
  __len = function() return 3 end,
})
print(table.concat(proxy, ","), table.unpack(proxy))
local tracked = setmetatable({}, { __newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end })
table.insert(tracked, "x")
table.insert(tracked, "y")
print(table.concat(log, ","), #tracked)
