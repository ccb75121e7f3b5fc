-- utf8 library (§6.5): every function, strict and lax modes, PUC 5.4.4 errors

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " "))
end

local function bytes(s)
  return table.concat({ s:byte(1, -1) }, ",")
end

local function try(f, ...)
  local r = table.pack(pcall(f, ...))
  for i = 1, r.n do r[i] = tostring(r[i]) end
  print(table.concat(r, " "))
end

-- charpattern
print(bytes(utf8.charpattern))
local n = 0
for c in ("héllo wörld €𝄞"):gmatch(utf8.charpattern) do n = n + 1 end
print("chars via charpattern", n)

-- char
print(utf8.char(72, 0xe9, 0x20ac, 0x1d11e))
print(bytes(utf8.char(0, 0x7f, 0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff)))
print(bytes(utf8.char(0x110000)), bytes(utf8.char(0x7fffffff)))
print(bytes(utf8.char(0x3ffffff)), bytes(utf8.char(0x4000000)), bytes(utf8.char(0x1fffff)))
print(utf8.char() == "", utf8.char("65", 66.0))
try(utf8.char, -1)
try(utf8.char, 0x80000000)
try(utf8.char, 65, "x")
try(utf8.char, 1.5)
try(utf8.char, 65, {})

-- codepoint
show(utf8.codepoint("héllo", 1, -1))
show(utf8.codepoint("héllo"))
show(utf8.codepoint("héllo", 2))
show(utf8.codepoint("héllo", -1))
show(select("#", utf8.codepoint("abc", 3, 2)))
show(utf8.codepoint("\u{D800}\u{10FFFF}\u{110000}", 1, -1, true))
try(utf8.codepoint, "héllo", 3)
try(utf8.codepoint, "\u{D800}")
try(utf8.codepoint, "\u{110000}")
try(utf8.codepoint, "\xff")
try(utf8.codepoint, "\xc0\x80")
try(utf8.codepoint, "abc", 0)
try(utf8.codepoint, "abc", 1, 4)
try(utf8.codepoint, "abc", -10)
try(utf8.codepoint, nil)
try(utf8.codepoint, "abc", "x")
show(utf8.codepoint(12345, 2, 3))

-- len
show(utf8.len("héllo"), utf8.len(""), utf8.len("€"), utf8.len("𝄞x"))
show(utf8.len("héllo", 3))
show(utf8.len("héllo", 4))
show(utf8.len("héllo", 1, 2), utf8.len("héllo", 1, 3))
show(utf8.len("héllo", -2), utf8.len("héllo", -1, -1))
show(utf8.len("abc", 4), utf8.len("abc", 5 - 1, 3))
show(utf8.len("ab\xffcd"))
show(utf8.len("ab\x80cd"))
show(utf8.len("\u{D800}x"), utf8.len("\u{D800}x", 1, -1, true))
show(utf8.len("\xF4\x90\x80\x80"), utf8.len("\xF4\x90\x80\x80", 1, -1, true))
show(utf8.len("\xe4\x80"))
try(utf8.len, "abc", 5)
try(utf8.len, "abc", 0)
try(utf8.len, "abc", -10)
try(utf8.len, "abc", 1, 4)
try(utf8.len, {})

-- offset
local s = "aé€𝄞z"
for i = -6, 6 do io.write(tostring(utf8.offset(s, i)), " ") end
print()
for i = 1, #s + 1 do io.write(tostring(utf8.offset(s, 0, i)), " ") end
print()
show(utf8.offset(s, 2, 2), utf8.offset(s, -1, 4), utf8.offset(s, 1, #s + 1))
show(utf8.offset("", 1), utf8.offset("", 0), utf8.offset("", -1))
show(utf8.offset("abc", 5), utf8.offset("abc", -5))
try(utf8.offset, s, 1, 3)
try(utf8.offset, s, 1, #s + 2)
try(utf8.offset, s, 1, 0)
try(utf8.offset, s)

-- codes
for p, c in utf8.codes("aé€𝄞") do io.write(p, ":", c, " ") end
print()
for p, c in utf8.codes("") do print("never") end
-- (stray continuation bytes: utf8_codes_546.lua, 5.4.6 behaviour)
for p, c in utf8.codes("a\xe4\x80\x80b") do io.write(p, ":", c, " ") end
print()
for p, c in utf8.codes("x\u{D800}\u{7FFFFFFF}", true) do io.write(p, ":", c, " ") end
print()
print(pcall(function() for p, c in utf8.codes("ab\xff") do io.write(p, " ") end end))
print(pcall(function() for p, c in utf8.codes("ab\u{D800}") do io.write(p, " ") end end))
print(pcall(function() for p, c in utf8.codes("\xc1\x81") do io.write(p, " ") end end))
local f1, s1, i1 = utf8.codes("abc")
local f2 = utf8.codes("xyz")
local f3 = utf8.codes("xyz", true)
print(type(f1), s1, i1, f1 == f2, f1 == f3)
show(f1("abc", 0), f1("abc", 2), f1("abc", 3), f1("abc", -5), f1("abc", 1.5))
show(f1("a\u{20ac}", 1))
try(utf8.codes)
try(utf8.codes, {})
try(f1, nil, 0)
print(pcall(f1, "\xff", 0))
