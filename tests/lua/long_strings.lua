-- Long brackets (§3.1): levels, first newline skipped, no escapes, newline normalization.
local a = [[
first line
second line]]
print(a)
print(#a)
local b = [==[
contains ]] and ]=] but ends here]==]
print(b)
print([[no newline at start]], [[]], #[[
]])
print([[\n is not an escape \t \\]])
local c = [=[
[[nested]]
]=]
print(c, #c)
-- \r\n, \n\r, \r are normalized to \n inside long strings
local f = load("return [[a\r\nb\n\rc\rd\n\ne]]")
local s = f()
print(#s, (s:gsub("\n", "|")))
-- the same in short strings via backslash-newline
local g = load("return 'x\\\r\ny'")
print(#g(), (g():gsub("\n", "|")))
-- unfinished long string / comment
print(load("return [[abc", "=ls"))
print(load("--[[ abc", "=ls"))
print(load("return [=[ abc ]]", "=ls"))
print(load("return [==x", "=ls"))
-- a long string used as a table key and in concatenation
local t = { [ [[key]] ] = 1 }
print(t.key, [[a]] .. [==[b]==])
-- long comments of various levels
--[[ one ]] --[=[ two ]=] --[==[
three
]==]
print("done")
