-- __tostring, __name, __metatable (§6.1 tostring, getmetatable, setmetatable).
local P = { __tostring = function(p) return "Point(" .. p.x .. "," .. p.y .. ")" end }
local pt = setmetatable({ x = 1, y = 2 }, P)
print(pt, tostring(pt), string.format("%s", pt))
-- __tostring must return a string (a number is accepted: lua_isstring is true for it)
local Bad = setmetatable({}, { __tostring = function() return 42 end })
print(pcall(tostring, Bad))
local Bad2 = setmetatable({}, { __tostring = function() return nil end })
print(pcall(tostring, Bad2))
-- __name is used by tostring (with the address, so only the prefix is printed)
local named = setmetatable({}, { __name = "MyType" })
print((tostring(named):gsub("0x%x+", "ADDR"):gsub(": [%x]+$", ": ADDR")))
print(tostring(named):match("^MyType: ") ~= nil)
-- __name in error messages of the auxiliary library; called through pcall the function
-- has no call-site name, so it is found in package.loaded: 'string.rep'
print(pcall(string.rep, named))
print(pcall(function() string.rep(named) end))
-- __name that is not a string is ignored
local named2 = setmetatable({}, { __name = 12 })
print(tostring(named2):match("^table: ") ~= nil)
-- getmetatable returns __metatable if present
local protected = setmetatable({}, { __metatable = "locked" })
print(getmetatable(protected))
print(pcall(setmetatable, protected, {}))
local prot2 = setmetatable({}, { __metatable = false })
print(getmetatable(prot2), pcall(setmetatable, prot2, nil))
-- strings share a metatable whose __index is string
print(getmetatable("").__index == string, getmetatable("abc") == getmetatable(""))
-- setmetatable argument checks
print(pcall(setmetatable, 1, {}))
print(pcall(setmetatable, {}, 1))
print(pcall(setmetatable, {}))
print(select("#", setmetatable({}, nil)))
-- setmetatable returns its first argument, removing with nil
local t = {}
print(setmetatable(t, P) == t, getmetatable(t) == P, getmetatable(setmetatable(t, nil)))
-- print uses __tostring
print(setmetatable({}, { __tostring = function() return "from print" end }))
-- tostring of basic values
print(tostring(nil), tostring(true), tostring(false), tostring(12), tostring(-0.0), tostring("s"))
print(tostring(print):match("^function: ") ~= nil, tostring({}):match("^table: ") ~= nil)
-- __tostring error propagates
print(pcall(tostring, setmetatable({}, { __tostring = function() error("boom") end })))
