-- Array-part reads and writes in compiled code: in range, holes that go
-- to __index/__newindex, keys out of range, zero, negative and float
-- keys, a table that grows (its array moves) and shrinks while a loop
-- indexes it, and values that are not tables.
local t = {}
for i = 1, 100 do t[i] = i * 2 end
local s = 0
for i = 1, 100 do s = s + t[i] end
print("sum", s, t[0], t[-1], t[101], t[2.0], t[1.5])

local log = {}
local mt = {
  __index = function(_, k) log[#log + 1] = "get " .. tostring(k); return -1 end,
  __newindex = function(tt, k, v) log[#log + 1] = "set " .. tostring(k); rawset(tt, k, v) end,
}
local h = setmetatable({1, 2, nil, 4, nil, 6}, mt)
local got = {}
for i = 1, 7 do got[i] = h[i] end
print(table.concat(got, " "))
for i = 1, 7 do h[i] = i * 10 end
print(table.concat(log, ", "))
print(h[3], h[5], h[7], rawlen(h))

-- growing while indexing: every append may move the array part
local g = {}
for i = 1, 5000 do
  g[i] = i
  g[i] = g[i] + (g[i - 1] or 0)
end
print("grown", #g, g[5000], g[4999])

-- shrinking: a rehash moves values out of the array part
local r = {}
for i = 1, 64 do r[i] = i end
for i = 64, 9, -1 do r[i] = nil end
r.x = 1; r.y = 2; r.z = 3
for i = 1, 20 do r["k" .. i] = i end
local c = 0
for i = 1, 64 do if r[i] then c = c + r[i] end end
print("shrunk", c, r[8], r[9])

-- not tables
local str = "hello"
local ok, err = pcall(function() local n = 5; return n[1] end)
print(ok, err)
print(str[1], (pcall(function() local b = true; b[2] = 1 end)))

-- constant keys (GETI/SETI), including the first and a large one
local k = {10, 20, 30}
for _ = 1, 3 do k[1] = k[1] + 1; k[3] = k[2] + k[3] end
print(k[1], k[2], k[3], k[200])
