-- Resource limits are errors, never crashes: stack overflow, __index loops, huge
-- allocations. Only deterministic parts of the messages are printed.
local function inf(n) return 1 + inf(n + 1) end
local ok, err = pcall(inf, 1)
print(ok, type(err), err:find("stack overflow", 1, true) ~= nil)
-- the program keeps working after a stack overflow, and can overflow again
ok, err = pcall(inf, 1)
print(ok, err:find("stack overflow", 1, true) ~= nil)
-- overflow through mutual recursion with varargs
local a, b
function a(...) return (b(1, ...)) end
function b(...) return (a(2, ...)) end
ok, err = pcall(a)
print(ok, type(err) == "string" and (err:find("stack overflow", 1, true) ~= nil or err:find("memory", 1, true) ~= nil))
-- overflow through metamethods (__index function calling itself)
local rec = setmetatable({}, {})
getmetatable(rec).__index = function(t, k) return t[k .. "x"] end
ok, err = pcall(function() return rec.a end)
print(ok, err:find("stack overflow", 1, true) ~= nil)
-- a __index chain of tables that loops
local loop1, loop2 = {}, {}
setmetatable(loop1, { __index = loop2 })
setmetatable(loop2, { __index = loop1 })
print(pcall(function() return loop1.x end))
local loop3 = setmetatable({}, {})
getmetatable(loop3).__newindex = loop3
print(pcall(function() loop3.x = 1 end))
local self_index = setmetatable({}, {})
getmetatable(self_index).__index = self_index
print(pcall(function() return self_index.missing end))
-- a long but finite __index chain works (fewer than 2000 levels)
local top = { deep = "found" }
for _ = 1, 1000 do top = setmetatable({}, { __index = top }) end
print(top.deep)
-- overflow in tostring via __tostring recursion
local ts = setmetatable({}, {})
getmetatable(ts).__tostring = function(o) return "<" .. tostring(o) .. ">" end
ok, err = pcall(tostring, ts)
print(ok, err:find("stack overflow", 1, true) ~= nil)
-- deep recursion that is not infinite works (well below any limit)
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(10000))
-- huge string.rep: an error ("resulting string too large" or "not enough memory")
ok, err = pcall(string.rep, "x", math.maxinteger)
print(ok, err == "resulting string too large" or err == "not enough memory")
ok, err = pcall(string.rep, "abc", 1 << 40, ",")
print(ok, err == "resulting string too large" or err == "not enough memory")
-- a 10 MB string built by repeated concatenation (doubling) works
local s = "0123456789"
while #s < 10 * 1024 * 1024 do s = s .. s end
print(#s, s:sub(-3))
-- and by a table.concat of many pieces
local parts = {}
for i = 1, 100000 do parts[i] = "0123456789" end
local big = table.concat(parts)
print(#big, big:sub(1, 5))
-- incremental concatenation in a loop (amortized by the collector)
local acc = ""
for i = 1, 20000 do acc = acc .. "ab" end
print(#acc)
-- deeply nested table constructors in source are a syntax error or work, never a crash
local src = "return " .. string.rep("{", 150) .. string.rep("}", 150)
local f = load(src)
print(f ~= nil and type(f()) == "table")
-- too many nested parentheses / C levels in the parser give an error message
local deep_src = "return " .. string.rep("(", 1000) .. "1" .. string.rep(")", 1000)
local g, perr = load(deep_src)
print(g == nil, perr and (perr:find("overflow", 1, true) ~= nil or perr:find("too many", 1, true) ~= nil))
