-- The length operator (§3.4.7): string byte length, table border, __len.
print(#"", #"abc", #"\0\0", #"héllo", #[[
x]])
print(#{}, #{ 1, 2, 3 }, #{ n = 1 }, #{ 1, 2, 3, nil }, #{ nil })
local t = {}
for i = 1, 100 do t[i] = i end
print(#t)
t[#t] = nil
print(#t)
t[#t + 1] = "x"
print(#t)
local s = "hello"
print(#s, #s * 2, -#s, #s .. "")
-- __len
local mt = { __len = function(self) return 42 end }
local obj = setmetatable({ 1, 2 }, mt)
print(#obj, rawlen(obj))
mt.__len = function() return "not a number" end
print(#obj)
mt.__len = function() return 1, 2, 3 end
print(#obj)
-- __len is not used for strings
getmetatable("").__len = function() return -1 end
print(#"abc")
getmetatable("").__len = nil
-- errors
print(pcall(function() return #5 end))
print(pcall(function() local n = nil; return #n end))
print(pcall(function() return #undefinedvar end))
print(pcall(function() local t = { b = true }; return #t.b end))
print(pcall(function() return #print end))
-- table.insert/remove keep length consistent
local q = {}
for i = 1, 10 do table.insert(q, i) end
table.remove(q, 1)
table.remove(q)
print(#q, q[1], q[#q])
