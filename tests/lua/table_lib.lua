-- Behaviour coverage of the table library (§6.6) against lua5.4.
local function dump(t, n)
  local parts = {}
  for i = 1, n or #t do parts[#parts + 1] = tostring(t[i]) end
  return "{" .. table.concat(parts, ",") .. "}"
end
local function try(f, ...)
  local r = table.pack(pcall(f, ...))
  for i = 1, r.n do r[i] = tostring(r[i]) end
  print(table.concat(r, " | "))
end

print("-- insert")
local t = {}
table.insert(t, 1)
table.insert(t, 2)
table.insert(t, 1, 0)
table.insert(t, #t + 1, 99)
table.insert(t, 2, "x")
print(dump(t))
try(table.insert, t, 10, 1)
try(table.insert, t, 0, 1)
try(table.insert, t, -1, 1)
try(table.insert, t)
try(table.insert, t, 1, 2, 3)
try(table.insert, nil, 1)
try(table.insert, 1, 1)
try(table.insert, t, "a", 1)
try(table.insert, t, 1.5, 1)
table.insert(t, 2.0, "f")
print(dump(t))
table.insert(t, "1", "s")
print(dump(t))
local e = {}
table.insert(e, 1, "only")
print(dump(e))

print("-- remove")
t = {1, 2, 3, 4, 5}
print(table.remove(t), dump(t))
print(table.remove(t, 1), dump(t))
print(table.remove(t, 2), dump(t))
print(table.remove(t, #t + 1), dump(t))
try(table.remove, t, 7)
try(table.remove, t, -1)
e = {}
print(table.remove(e), #e)
print(table.remove(e, 0), table.remove(e, 1))
try(table.remove, e, 2)
local z = {[0] = "zero"}
print(table.remove(z, 0), z[0])
local n = {n = 1}
print(select("#", table.remove({})))
try(table.remove)
try(table.remove, {}, "x")

print("-- concat")
print(table.concat({1, 2, 3}))
print(table.concat({1, 2, 3}, ", "))
print(table.concat({1, 2, 3}, ", ", 2))
print(table.concat({1, 2, 3}, ", ", 2, 3))
print(table.concat({1, 2, 3}, ", ", 3, 2) == "")
print(table.concat({}, "x"))
print(table.concat({"a", 1.5, 2, "b"}, "-"))
print(table.concat({[1] = "a", [2] = "b", [3] = "c"}, "", -1 + 2, 3))
try(table.concat, {1, {}, 3})
try(table.concat, {1, 2, 3}, ", ", 1, 5)
try(table.concat, {true})
try(table.concat, {1}, {})
try(table.concat)
try(table.concat, {1, 2}, 1, "a")
print(table.concat({1, 2, 3}, 0))
local big = {}
for i = 1, 100 do big[i] = i end
print(#table.concat(big, ","))

print("-- pack/unpack")
local p = table.pack(1, nil, 3, nil)
print(p.n, p[1], p[2], p[3], p[4])
p = table.pack()
print(p.n, #p)
print(table.unpack({1, 2, 3}))
print(table.unpack({1, 2, 3}, 2))
print(table.unpack({1, 2, 3}, 2, 3))
print(table.unpack({1, 2, 3}, 3, 2))
print(table.unpack({1, 2, 3}, -1, 1))
print(select("#", table.unpack({}, 1, 5)))
print(table.unpack({n = 3, "a", "b"}, 1, 3))
try(table.unpack, {}, 1, 1e8)
try(table.unpack, {}, math.mininteger, math.maxinteger)
print(table.unpack({}, math.maxinteger, math.maxinteger))
print(table.unpack({}, math.mininteger, math.mininteger))
try(table.unpack)
try(table.unpack, {}, "x")

print("-- move")
local a = {1, 2, 3, 4, 5}
table.move(a, 1, 3, 3)
print(dump(a))
a = {1, 2, 3, 4, 5}
table.move(a, 3, 5, 1)
print(dump(a))
local b = table.move({1, 2, 3}, 1, 3, 2, {})
print(dump(b, 4))
print(table.move({1, 2}, 1, 0, 1, {"x"})[1])
local r = table.move({1, 2, 3}, 1, 3, 1, {})
print(dump(r))
try(table.move, {}, 1, math.maxinteger, 2)
try(table.move, {}, -1, math.maxinteger, 2)
print(table.move({1}, 1, 1, math.maxinteger)[math.maxinteger])
try(table.move, {1})
try(table.move, {1}, 1, 1, 1, 5)
print(dump(table.move({1, 2, 3}, 2, 3, 1)))

print("-- sort")
local s = {5, 2, 8, 1, 9, 3}
table.sort(s)
print(dump(s))
table.sort(s, function(x, y) return x > y end)
print(dump(s))
s = {"banana", "apple", "Cherry", "date"}
table.sort(s)
print(dump(s))
s = {3.5, 1, 2.25, -1, 0}
table.sort(s)
print(dump(s))
s = {}
table.sort(s)
print(#s)
s = {1}
table.sort(s)
print(dump(s))
try(table.sort, {1, "x", 2})
try(table.sort, {1, 2, 3}, 1)
try(table.sort, {{}, {}})
try(table.sort)
local bad = {}
for i = 1, 100 do bad[i] = (i * 37) % 101 end
try(table.sort, bad, function(x, y) return true end)
local bad2 = {}
for i = 1, 100 do bad2[i] = i end
try(table.sort, bad2, function(x, y) return true end)
local recs = {}
for i = 1, 20 do recs[i] = {k = (i * 7) % 20, v = i} end
table.sort(recs, function(x, y) return x.k < y.k end)
local ks = {}
for i = 1, 20 do ks[i] = recs[i].k end
print(table.concat(ks, ","))
local ok = pcall(table.sort, {3, 2, 1}, function(x, y) error("cmp fail") end)
print(ok)
print(select(2, pcall(table.sort, {3, 2, 1}, function(x, y) error("cmp fail") end)))
-- sort with __lt metamethod
local mt = {__lt = function(x, y) return x.v < y.v end}
local objs = {}
for i, v in ipairs({4, 1, 3, 2}) do objs[i] = setmetatable({v = v}, mt) end
table.sort(objs)
for i = 1, 4 do io.write(objs[i].v, " ") end print()
-- big sort
local bigs = {}
local x = 1
for i = 1, 1000 do x = (x * 1103515245 + 12345) % 2147483648; bigs[i] = x % 1000 end
table.sort(bigs)
local sorted = true
for i = 2, 1000 do if bigs[i - 1] > bigs[i] then sorted = false end end
print(sorted, bigs[1], bigs[1000])

print("-- metamethods")
local proxy = setmetatable({}, {
  __index = function(_, k) return k * 10 end,
  __len = function() return 3 end,
})
print(table.concat(proxy, ","))
print(table.unpack(proxy))
local log = {}
local w = setmetatable({}, {
  __newindex = function(t2, k, v) log[#log + 1] = k .. "=" .. tostring(v); rawset(t2, k, v) end,
})
table.insert(w, "a")
table.insert(w, "b")
print(table.concat(log, " "))
local lenobj = setmetatable({}, {__len = function() return "x" end})
try(table.insert, lenobj, 1)
try(table.concat, lenobj)
local lenflt = setmetatable({}, {__len = function() return 2.0 end})
print(pcall(table.unpack, lenflt))

print("-- more edge cases")
local function edge(...)
  local t = table.pack(pcall(...))
  for i = 1, t.n do
    local v = t[i]
    if type(v) == "table" then t[i] = "table" elseif type(v) ~= "string" then t[i] = tostring(v) end
  end
  print(table.concat(t, " | "))
end
edge(table.concat, {1.0, 2^63, -0.0, 1e100, math.mininteger})
edge(table.sort, {3, nil, 1})
edge(table.sort, {3, 1, nil, 2, n=4})
edge(table.sort, setmetatable({}, {__len = function() return 2^40 end}))
edge(table.sort, setmetatable({}, {__len = function() return math.maxinteger end}))
edge(table.unpack, {}, 1, 2^31)
edge(table.unpack, {}, 0, 2^20)
edge(table.unpack, {1,2,3}, 2^63 - 2 )
edge(table.insert, {}, 2^63, 1)
edge(table.insert, {1,2,3}, 5, 1)
edge(table.insert, {1,2,3}, 4, 1)
edge(table.remove, {1,2,3}, 5)
edge(table.remove, {1,2,3}, 4)
edge(table.remove, {1,2,3}, 0)
edge(table.remove, {}, -1)
edge(table.remove, {n=0}, 0)
edge(table.move, {1,2,3}, 1, 3, 1, nil)
edge(table.move, {1,2,3}, 0, 2, 1)
edge(table.move, {1,2,3}, math.mininteger, math.mininteger + 1, 1)
edge(table.move, {1,2,3}, 1, 3, -1)
edge(table.pack, nil)
edge(table.concat, {"a", "b"}, nil, 2)
edge(table.concat, {"a", "b"}, "", 0)
edge(table.concat, {"a", "b"}, "", 1, 3)
edge(table.concat, {"a", "b", [4]="d"}, "", 1, 4)
edge(table.concat, {"a", "b"}, "", 2^63, 2^63)
edge(table.insert, setmetatable({}, {__len=function() return 2^63 end}), 1)
edge(table.insert, setmetatable({}, {__len=function() return 1.5 end}), 1)
edge(table.unpack, setmetatable({}, {__len=function() return 1.5 end}))
edge(table.sort, {1,2,3}, function(a, b) return a > b end, "extra")
edge(table.sort, {"b", "a", 1})
edge(table.remove, setmetatable({}, {__len = function() return 3 end, __index = function(t, k) return k * 2 end}))
edge(table.insert, {}, "x", 1)
edge(table.insert, {}, nil, 1)
edge(table.insert, {}, 1, nil)
edge(next, {}, 1)
local t = {}
edge(table.insert, t, 1, 2, 3, 4)
edge(rawlen, t)
local ro = setmetatable({}, {__newindex = function() error("readonly") end})
edge(table.insert, ro, 1)
edge(table.move, {1, 2}, 1, 2, 1, ro)
edge(table.sort, {5, 3, 1}, function(a, b) return a < b end)
local big = {} for i = 1, 300 do big[i] = (i * 7919) % 300 end
edge(table.sort, big, function(a, b) return a <= b end)
local eq = {} for i = 1, 50 do eq[i] = 1 end
edge(table.sort, eq, function(a, b) return true end)
local two = {2, 1}
edge(table.sort, two, function(a, b) return true end)
print(two[1], two[2])
local three = {3, 1, 2}
edge(table.sort, three, function(a, b) return true end)
print(three[1], three[2], three[3])
local ten = {} for i = 1, 10 do ten[i] = i end
edge(table.sort, ten, function(a, b) return true end)
print(table.concat(ten, ","))
