-- Commonly used string functions (§6.4).
local s = "Hello, World"
print(s:sub(1, 5), s:sub(-5), s:sub(8), s:sub(0), s:sub(5, 3), s:sub(-100, 2), s:sub(3, -3))
print(s:sub(2, 100), ("x"):sub(2), s:sub(-3, -1), s:sub(math.mininteger, math.maxinteger) == s)
print(s:byte(), s:byte(1, 3), s:byte(-1), s:byte(100), ("").byte(""))
print(string.char(72, 105), string.char(), #string.char(0, 255))
print(("ab"):rep(3), ("ab"):rep(3, ","), ("x"):rep(0), ("x"):rep(-1), ("x"):rep(1, "sep"))
print(s:upper(), s:lower(), s:len(), #s, s:reverse(), (""):reverse())
-- format
print(string.format("%d %5d %-5d| %05d %+d", 42, 42, 42, 42, 42))
print(string.format("%s %10s %-10s| %.3s", "str", "right", "left", "truncate"))
print(string.format("%5.2f %.3f %10.4f %-8.1f| %.0f", 3.14159, 2.5, -1.23456, 9.99, 2.5))
print(string.format("%x %X %#x %o %08x", 255, 255, 255, 8, 48879))
print(string.format("%e %.2e %g %g %g", 12345.678, 0.000123, 1e20, 0.1, 100))
print(string.format("%c%c%c", 76, 117, 97), string.format("%%"), string.format("%i", -7))
print(string.format("%q", 'a "quoted"\n\t\0 string\\'))
print(string.format("%q", 1 / 3), string.format("%q", 10), string.format("%q", math.mininteger))
print(string.format("%q", 1.0), string.format("%q", 1e100), string.format("%q", 1 / 0), string.format("%q", -1 / 0))
print(string.format("%s %s %s %s", nil, true, 1.5, {} ~= nil))
print(string.format("%a", 1.0), string.format("%.3a", 0.5))
print(string.format("%-3s|%3s|", "ab", "ab"), string.format("[%10.3s]", "abcdef"))
-- find: plain and patterns
print(s:find("World"), s:find("o"), s:find("o", 6), s:find("xyz"), s:find(""))
print(s:find("o", -3), s:find("l+"), s:find(".", 1, true), ("a.b"):find(".", 1, true))
print(("a+b"):find("+", 1, true), ("abc"):find("b", 10), ("abc"):find("", 10), ("abc"):find("", 4))
print(s:find("(%a+), (%a+)"))
print(s:match("%a+"), s:match("(%a+), (%a+)"), s:match("%d"), ("key=val"):match("(%w+)=(%w+)"))
print(("  trim  "):match("^%s*(.-)%s*$") .. "|", ("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
print(("hello"):match("()ll()"), ("abc"):match(".-"), ("abc"):match(".*"))
-- gsub
print(("hello world"):gsub("o", "0"))
print(("hello world"):gsub("o", "0", 1))
print(("hello"):gsub("", "-"))
print(("abc"):gsub("%w", "%0%0"), ("abc"):gsub("(%w)", "<%1>"))
print(("hello world"):gsub("%w+", { hello = "HI", world = false }))
print(("1 2 3"):gsub("%d", function(d) return d * 2 end))
print(("a,b,,c"):gsub(",", ";"), ("x"):gsub("x", "%%"))
print(pcall(string.gsub, "x", "x", "%2"))
print(("abc"):gsub(".", { a = 1, b = false }))
print(pcall(string.gsub, "abc", ".", { a = true }))
-- gmatch
local words = {}
for w in ("one two  three"):gmatch("%S+") do words[#words + 1] = w end
print(#words, table.concat(words, "|"))
local kv = {}
for k, v in ("a=1,b=2"):gmatch("(%w+)=(%w+)") do kv[#kv + 1] = k .. v end
print(table.concat(kv, " "))
for pos in ("abc"):gmatch("()") do io.write(pos, " ") end
print()
-- character classes
print(("abc123 _-!"):gsub("%a", "a"), ("abc123"):gsub("%d", "#"), ("a b\tc"):gsub("%s", "_"))
print(("Hello"):gsub("%u", "U"), ("Hello"):gsub("%l", "l"), ("a.b"):gsub("%p", "P"), ("x1y"):gsub("[%d]", ""))
print(("[test]"):gsub("[%[%]]", ""), ("aaa"):gsub("a-", "x"), ("f(a(b)c)"):match("%b()"))
print(("THE (quick) fox"):find("%f[%a]%a+"), ("hello"):find("l*"), ("x"):rep(3):gsub("x?", "y"))
-- string.len and # agree, embedded zeros count
print(string.len("a\0b"), #"a\0b", ("a\0b"):upper() == "A\0B")
