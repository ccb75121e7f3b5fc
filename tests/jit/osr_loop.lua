-- One long loop in the main chunk: the main chunk is called once, so only
-- OSR at the loop header can move it to native code.
local s, f = 0, 0.0
for i = 1, 3000000 do
  s = s + i % 7
  f = f + i / 3
end
print(s, string.format("%.3f", f))
