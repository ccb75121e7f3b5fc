-- The string metatable (§6.4): method syntax on string values, __index = string,
-- arithmetic metamethods that convert numeric strings.
print(("x"):upper(), ("Hello"):lower(), ("abc"):len(), #"abc", ("ab"):rep(3, "-"))
local s = "hello world"
print(s:sub(1, 5), s:find("world"), s:byte(1), s:upper():lower() == s)
print(("%d items"):format(3), ("a,b,c"):gsub(",", ";"))
-- method calls on literals need parentheses; on numbers they are not strings
print(pcall(function() local n = 5; return n:upper() end))
-- adding a method to the string table makes it available to all strings
function string.shout(str) return str:upper() .. "!" end
print(("hey"):shout(), s:shout())
string.shout = nil
print(pcall(function() return ("x"):shout() end))
-- arithmetic through the string metatable
print("10" + 1, "10" - 1, "10" * 2, "10" / 4, "10" % 3, "10" // 3, "2" ^ 3, -"10")
print("0x10" + 0, "1e1" + 0, " 3 " + 0, "10" + "5", math.type("10" + "5"))
print(10 + "1", 10 * "0.5", 2 ^ "2")
-- the metamethods are visible in the metatable
local smt = getmetatable("")
local names = {}
for k in pairs(smt) do names[#names + 1] = k end
table.sort(names)
print(table.concat(names, " "))
print(smt.__add("1", "2"), smt.__unm("3"), smt.__index == string)
-- comparison operators do not convert
print("10" == 10, pcall(function() return "10" < 5 end))
-- failing conversions report the operation and operand types
print(pcall(function() return "abc" + 1 end))
print(pcall(function() return 1 + "abc" end))
print(pcall(function() return "abc" .. {} end))
print(pcall(function() return "1" + {} end))
-- string indexing with numbers gives nil (string methods only)
print(("abc")[1], ("abc").nonexistent)
-- string keys with the same text are the same key (interning)
local t = {}
t["ab" .. "c"] = 1
print(t.abc, t[("a"):rep(1) .. "bc"])
-- long strings built at run time equal literals
local long = ("x"):rep(100)
print(long == string.rep("x", 100), #long)
