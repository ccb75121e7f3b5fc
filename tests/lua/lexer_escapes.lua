-- Escape sequences in short strings (§3.1).
local function bytes(s)
  local t = {}
  for i = 1, #s do t[#t + 1] = string.byte(s, i) end
  return table.concat(t, " ")
end
print(bytes("\a\b\f\n\r\t\v\\\"\'"))
print(bytes("\65\066\0677"), "\65\066\0677")
print(bytes("\x41\x7a\xFF\x00"))
print(bytes("a\z
             b"), "a\z   b")
print(bytes("\u{41}\u{7FF}\u{FFFF}\u{10FFFF}"))
print(bytes("\u{7FFFFFFF}"))
print(bytes("line1\
line2"))
print(#"\0\0\0", #"a\0b", ("a\0b"):byte(2))
print('single "quotes"', "double 'quotes'", '\'', "\"")
print("tab:\tend", "nl escaped:\\n")
print("\104\101\108\108\111", "\x68\x65\x6c\x6c\x6f")
-- decimal escape up to 3 digits: \1234 is \123 followed by '4'
print(bytes("\1234"))
-- bad escapes are syntax errors
local function try(src)
  local f, err = load(src, "=src")
  print(f, err)
end
try([[return "\q"]])
try([[return "\x4"]])
try([[return "\256"]])
try([[return "\u{110000000}"]])
try([[return "\u{41"]])
try([[return "abc]])
try("return 'abc\ndef'")
-- comments
print(1 --[[ inline ]] + 2) -- trailing
--[==[ long
comment ]==]
print("after comments")
