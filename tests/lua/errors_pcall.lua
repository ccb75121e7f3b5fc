-- error, pcall, xpcall (§6.1): any value can be an error object; levels add positions.
print(pcall(error))
print(pcall(error, nil))
print(pcall(error, "msg"))
print(pcall(error, "msg", 0))
print(pcall(error, 42))
print(pcall(error, 42.5))
print(pcall(error, true))
local errt = { code = 7 }
local ok, e = pcall(error, errt)
print(ok, e == errt, e.code)
-- levels: 1 = where error was called, 2 = the caller of that function
local function lvl1() error("at level 1") end
local function lvl2() error("at level 2", 2) end
local function call_lvl2() lvl2() end -- line 15
print(pcall(lvl1))
print(pcall(call_lvl2))
print(pcall(function() error("no position", 0) end))
-- level 2 pointing at a C caller gives no position
print(pcall(lvl2))
-- the string is decorated only when it is a string (numbers are not converted)
print(pcall(function() error(12) end))
print(pcall(function() error({}) end) == false)
-- pcall returns all results on success
print(pcall(function(...) return ... end, 1, 2, 3))
print(pcall(function() end))
print(select("#", pcall(function() end)))
-- pcall with a non-function
print(pcall(42))
print(pcall(pcall))
-- xpcall: handler receives the error object, its (first) result replaces it
print(xpcall(function() error("E") end, function(m) return "handled: " .. m end))
print(xpcall(function() error({ v = 1 }) end, function(m) return type(m), m.v end))
print(xpcall(function(a, b) return a + b end, print, 3, 4))
-- handler gets runtime errors with position
print(xpcall(function() local x = nil; return x.y end, function(m) return "H(" .. m .. ")" end))
-- error in the message handler
print(xpcall(function() error("first") end, function(m) error("in handler") end))
-- handler that returns nothing
print(xpcall(function() error("x") end, function() end))
-- nested pcall
print(pcall(function()
  local ok2, e2 = pcall(function() error("inner", 0) end)
  error("outer saw " .. tostring(ok2) .. " " .. e2, 0)
end))
-- rethrow keeps the same object
local obj = {}
local ok3, e3 = pcall(function()
  local _, inner = pcall(error, obj)
  error(inner)
end)
print(ok3, e3 == obj)
-- error with level on a message that is not a string: no position added
print(pcall(error, 5, 2))
-- error objects with __tostring are not converted by pcall
local Custom = setmetatable({}, { __tostring = function() return "custom error" end })
local ok4, e4 = pcall(error, Custom)
print(ok4, e4 == Custom, tostring(e4))
-- runtime errors inside deeply nested calls unwind everything
local depth = 0
local function dive(n) depth = n; if n == 100 then local t = nil; return t.x end return dive(n + 1) + 0 end
print(pcall(dive, 1))
print(depth)
-- pcall returns false plus the error when the error is nil
print(pcall(error, nil))
-- assert
print(pcall(assert, false))
print(pcall(assert, nil, "custom assert"))
local okA, eA = pcall(assert, false, { 1 })
print(okA, type(eA), eA[1])
print(assert(1, "unused"), select("#", assert(1, 2, 3)))
print(pcall(assert))
-- the error object is passed through untouched (print applies __tostring)
print(pcall(error, setmetatable({}, { __tostring = function() return "ts" end }), 1))
