-- select, rawget, rawset, rawequal, rawlen (§6.1).
print(select("#"), select("#", nil), select("#", 1, nil, nil))
print(select(1, "a", "b", "c"))
print(select(3, "a", "b", "c"))
print(select(-1, "a", "b", "c"))
print(select(-2, "a", "b", "c"))
print(select(-3, "a", "b", "c"))
print(select(5, "a", "b"))
print(select(2.0, "a", "b"))
print(select("2", "a", "b"))
print(pcall(select, -4, "a", "b", "c"))
print(pcall(select, 0))
print(pcall(select, 1.5, "a"))
print(pcall(select, nil))
-- rawget / rawset bypass metamethods
local log = {}
local mt = {
  __index = function(_, k) log[#log + 1] = "index " .. tostring(k); return "meta" end,
  __newindex = function(_, k) log[#log + 1] = "newindex " .. tostring(k) end,
}
local t = setmetatable({}, mt)
print(t.a, rawget(t, "a"))
t.b = 1
print(rawget(t, "b"))
print(rawset(t, "b", 2) == t, rawget(t, "b"), t.b)
rawset(t, 1.0, "one")
print(rawget(t, 1))
for k in pairs(t) do if k ~= "b" then print("normalized key", math.type(k)) end end
print(table.concat(log, ", "))
print(pcall(rawset, t, nil, 1))
print(pcall(rawset, t, 0 / 0, 1))
print(pcall(rawget, "string", 1))
print(pcall(rawset, {}, 1))
-- rawequal
local eqmt = { __eq = function() return true end }
local x, y = setmetatable({}, eqmt), setmetatable({}, eqmt)
print(x == y, rawequal(x, y), rawequal(x, x), rawequal(1, 1.0), rawequal("a", "a"))
print(rawequal(nil, nil), rawequal(0, -0), rawequal(0/0, 0/0), rawequal(print, print))
print(pcall(rawequal, 1))
-- rawlen
print(rawlen({ 1, 2, 3 }), rawlen("abcd"), rawlen(setmetatable({ 1 }, { __len = function() return 99 end })))
print(pcall(rawlen, 5))
print(pcall(rawlen))
-- rawget does not follow __index chains; rawset does not trigger __newindex
local base = { k = "base" }
local child = setmetatable({}, { __index = base })
print(child.k, rawget(child, "k"))
