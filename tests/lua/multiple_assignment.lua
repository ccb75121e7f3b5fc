-- Multiple assignment (§3.3.3): all expressions are evaluated before any assignment;
-- adjusted to the number of targets; function calls expand only in last position.
local a, b, c = 1, 2
print(a, b, c)
local d, e = 1, 2, 3
print(d, e)
a, b = b, a
print(a, b)
local function three() return 1, 2, 3 end
local x, y, z, w = three()
print(x, y, z, w)
x, y, z = three(), 10
print(x, y, z)
x, y, z = 0, three()
print(x, y, z)
x, y = (three())
print(x, y)
-- swap in a table
local t = { 1, 2, 3 }
t[1], t[3] = t[3], t[1]
print(t[1], t[2], t[3])
-- i, t[i] = i+1, 20 : the index expression t[i] is evaluated before the assignment
-- (the manual leaves the order undefined; only this case is pinned by the manual)
local i = 3
local arr = {}
i, arr[i] = i + 1, 20
print(i, arr[3], arr[4])
-- right-hand side is fully evaluated before assigning
local order = {}
local function f(name, v) order[#order + 1] = name; return v end
local p, q = f("first", 1), f("second", 2)
print(p, q, table.concat(order, " "))
-- multiple assignment to globals and fields
g1, g2 = "G1", "G2"
print(g1, g2)
local obj = {}
obj.a, obj.b, obj.c = three()
print(obj.a, obj.b, obj.c)
-- nested call results truncated in the middle
local m1, m2, m3, m4 = three(), three()
print(m1, m2, m3, m4)
-- assigning more values than targets discards extras, but they are still evaluated
local count = 0
local function bump() count = count + 1; return count end
local only = bump(), bump(), bump()
print(only, count)
-- empty function result gives nil
local function none() end
local n1, n2 = none()
print(n1, n2)
local n3, n4 = none(), 5
print(n3, n4)
-- swap three values
local r, s, u = "r", "s", "u"
r, s, u = u, r, s
print(r, s, u)
-- locals declared in the same statement are not visible in the expressions
local v = "outer"
do
  local v, vv = "inner", v
  print(v, vv)
end
