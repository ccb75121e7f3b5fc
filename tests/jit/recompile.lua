-- inc is compiled for numbers (the first calls), then called with numeric
-- strings: the guard of its ADD fails on every call until the deopt policy
-- recompiles inc with that instruction left to the interpreter.
local function inc(x) return x + 1 end
local s = 0
for i = 1, 10 do s = s + inc(i) end
for i = 1, 5000 do s = s + inc(tostring(i)) end
print(s, math.type(s))
