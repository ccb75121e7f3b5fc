-- print (§6.1): arguments separated by tabs, newline at the end, tostring applied
-- (integers without ".0", floats with ".0" or exponent), io.write without tostring.
print()
print(nil)
print(nil, nil)
print(true, false)
print(1, 2, 3)
print("a", "b\tc", "d")
print(1, 1.0, -0.0, 1e100, 2^63, 0.1, 100 // 1, 100 / 1)
print("", "", "")
print("embedded\nnewline")
print(1, nil, 3)
print(("x"):rep(3), #"len")
print(123456789012345678)
print(1e15, 1e16, 123456789012345.6, 0.1 + 0.7)
print(-1, -1.5, - 2^63, math.mininteger)
-- print with __tostring and __name
print(setmetatable({}, { __tostring = function() return "custom" end }))
-- select("#") and print with trailing nils
local function nils() return 1, nil, nil end
print(nils())
print((nils()))
-- io.write does not add separators or newlines; floats use "%.14g" (no ".0" added)
io.write("a", "b", 1, 2.5, "\n")
io.write(1.0, " ", 2^63, " ", -0.0, " ", 100, "\n")
io.write()
io.write("\n")
-- print calls tostring on each argument, error in __tostring propagates
print(pcall(print, setmetatable({}, { __tostring = function() return {} end })))
-- string.format("%s") vs print for numbers
print(string.format("%s|%s|%s", 1, 1.0, 1e20))
-- long output line
print(string.rep("=", 80))
-- many arguments
print(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)
print(table.unpack({ 1, 2, 3, 4, 5 }))
-- binary-safe output
print("nul:\0:end")
io.write("\1\2\255\n")
