-- load (§6.1): string and function chunks, chunk names, modes, env, syntax errors.
local f = load("return 1 + 1")
print(f())
print(load("syntax error here"))
print(load("return", "=custom") ~= nil)
print(load("return +", "=custom"))
print(load("x = ", "@file.lua"))
print(load("return )", "literal name"))
print(load("error('e')", "=(load)") and "compiled")
-- chunk names in runtime errors
print(pcall(load("error('runtime')", "=mychunk")))
print(pcall(load("error('runtime')", "@some/file.lua")))
print(pcall(load("error('runtime')")))
print(pcall(load("\n\nerror('line 3')", "code")))
print(pcall(load("local x = nil; return x.y", "=(named)")))
-- long source used as name is truncated with "..."
print(pcall(load("error('long')", "return 'a very long chunk source that goes on and on and on and on and on'")))
print(pcall(load("error('multi')", "line one\nline two")))
-- function chunks: pieces concatenated until nil or empty string
local pieces = { "return ", "1 ", "+ ", "41" }
local i = 0
local g = load(function() i = i + 1; return pieces[i] end)
print(g())
local parts = { "local a = 'x'", "", "return a" }
local j = 0
local h = load(function() j = j + 1; return parts[j] end)
print(h and h() or "stopped at empty piece", j)
-- a reader returning a non-string is an error; load returns it (nil, message). These run
-- under pcall because lua5.4 applies the *enclosing* message handler to errors raised
-- in the reader (lua.c's traceback handler would append a traceback to the message).
print(pcall(function() return load(function() return true end) end))
local k = 0
print(pcall(function()
  return load(function() k = k + 1; if k == 1 then return "return 7" end return {} end)
end))
-- a reader that errors
print(pcall(function() return load(function() error("reader failed") end) end))
-- mode argument
print(load("return 1", "=m", "t") ~= nil)
print(load("return 1", "=m", "b"))
print(load("return 1", "=m", "bt") ~= nil)
local dumped = string.dump(function() return "from binary" end)
print(load(dumped, "=bin", "t"))
print(load(dumped, "=bin", "b")())
print(load(dumped)())
-- env argument becomes the _ENV upvalue
local env = { y = 5 }
local fe = load("x = 10; return y", "=env", "t", env)
print(fe(), env.x, x)
local fe2 = load("return print", "=env2", "t", {})
print(fe2())
local fe3 = load("return tostring", "=env3", "t", nil) -- an explicit nil env is used
print(pcall(fe3))
-- load without env uses the global environment
local fg = load("return _ENV == _G")
print(fg())
-- the chunk is a vararg function
print(load("return ...")(1, 2, 3))
-- syntax error messages
local function syn(src) print(select(2, load(src, "=s"))) end
syn("x = = 1")
syn("local 1 = 2")
syn("if x then")
syn("for i = 1 do end")
syn("f(")
syn("return return")
syn("x = }")
syn("a.b:c = 1")
syn("local t = {1,2")
syn("print('unclosed)")
syn("x = 1 +")
syn("function f(a,) end")
syn("goto 1")
syn("local function end")
syn("x = 3 3")
syn("while true do end end")
syn("\n\n\n  @")
syn("x = 0x")
syn("return 1 ... 2")
syn("(f)")
syn("a, b")
-- a long string of nested parentheses / nested functions fails cleanly or works
local deep = string.rep("(", 100) .. "1" .. string.rep(")", 100)
print(load("return " .. deep)())
-- loadstring is gone in 5.4, dofile/loadfile exist
print(loadstring, type(loadfile), type(dofile))
print(loadfile("tests/lua/modules/does_not_exist.lua"))
