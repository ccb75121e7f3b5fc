-- Table constructors and indexing (§3.4.9): positional, named and bracketed fields,
-- key normalization (float keys with integer value are integers), nil/NaN keys.
-- (the order of assignments in a constructor is undefined, so no key is repeated here)
local t = { 10, 20, 30, x = "x", ["y z"] = "yz", [2 + 3] = "five", 40 }
print(t[1], t[2], t[3], t[4], t[5], t.x, t["y z"], #t)
local u = { [1] = "a", [2] = "b", [3.0] = "c" }
print(u[1], u[2], u[3], #u)
-- trailing separators and ; separators
local v = { 1, 2; 3, }
print(#v, v[3])
-- multiple results expand only in the last position
local function three() return 1, 2, 3 end
print(#{ three() }, #{ three(), three() }, #{ (three()) }, #{ three(), 10 })
-- float keys normalize
local w = {}
w[1.0] = "one"; w[2] = "two"; w[2^53] = "big"
print(w[1], w[2.0], w[2^53 // 1], math.type(next({ [3.0] = true })))
w[1.5] = "float"
print(w[1.5], w[3 / 2])
-- all value types except nil and NaN can be keys
local f = function() end
local key_t = {}
local k = { [true] = "T", [false] = "F", [f] = "fn", [key_t] = "tbl", ["s"] = "str", [-0.0] = "zero" }
print(k[true], k[false], k[f], k[key_t], k.s, k[0], k[-0.0], k[0.0])
print(pcall(function() local x = {}; x[nil] = 1 end))
print(pcall(function() local x = {}; x[0 / 0] = 1 end))
print(({})[nil], ({})[0 / 0], rawget({}, 0 / 0))
-- assigning nil removes; hash part grows and shrinks
local h = {}
for i = 1, 1000 do h["k" .. i] = i end
local cnt = 0
for _ in pairs(h) do cnt = cnt + 1 end
print(cnt)
for i = 1, 1000, 2 do h["k" .. i] = nil end
cnt = 0
for _ in pairs(h) do cnt = cnt + 1 end
print(cnt, h.k1, h.k2, h.k1000)
-- array part filled backwards, sparse, negative and zero indices
local a = {}
for i = 10, 1, -1 do a[i] = i * i end
print(#a, a[1], a[10])
a[0] = "zero"; a[-1] = "neg"
print(#a, a[0], a[-1])
-- nested tables and chained indexing
local n = { a = { b = { c = "deep" } } }
print(n.a.b.c, n["a"]["b"]["c"])
n.a.b.c = "changed"
print(n.a.b.c)
-- string keys vs identifiers
local s = { ["end"] = 1, ["1"] = 2, [1] = 3 }
print(s["end"], s["1"], s[1])
-- many integer keys beyond the array part
local big = {}
big[1000000] = 1
big[1] = 2
print(big[1000000], big[1], big[2])
