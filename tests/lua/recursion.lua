-- Plain recursion: fibonacci, ackermann, mutual recursion, recursion through tables.
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(0), fib(1), fib(10), fib(20), fib(25))
local memo = {}
local function mfib(n)
  if n < 2 then return n end
  local v = memo[n]
  if v then return v end
  v = mfib(n - 1) + mfib(n - 2)
  memo[n] = v
  return v
end
print(mfib(90))
local function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end
print(ack(0, 0), ack(1, 2), ack(2, 3), ack(3, 3), ack(3, 5))
-- global recursive function
function gfact(n) if n <= 1 then return 1 end return n * gfact(n - 1) end
print(gfact(10), gfact(20), gfact(21))
-- float factorial
local function ffact(n) if n <= 1 then return 1.0 end return n * ffact(n - 1) end
print(ffact(20), ffact(25))
-- hanoi
local moves = 0
local function hanoi(n, from, to, via)
  if n == 0 then return end
  hanoi(n - 1, from, via, to)
  moves = moves + 1
  hanoi(n - 1, via, to, from)
end
hanoi(15, "A", "C", "B")
print(moves)
-- recursive data structure traversal
local function tree(depth)
  if depth == 0 then return { value = 1 } end
  return { left = tree(depth - 1), right = tree(depth - 1), value = depth }
end
local function sum(t) if not t then return 0 end return t.value + sum(t.left) + sum(t.right) end
print(sum(tree(10)))
-- mutual recursion through a table of functions
local M = {}
function M.even(n) if n == 0 then return true end return M.odd(n - 1) end
function M.odd(n) if n == 0 then return false end return M.even(n - 1) end
print(M.even(100), M.odd(7), M.even(7))
-- recursion depth of a few thousand non-tail calls
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(5000))
-- permutations
local function permute(arr, n, out)
  n = n or #arr
  out = out or {}
  if n <= 1 then out[#out + 1] = table.concat(arr) return out end
  for i = 1, n do
    arr[i], arr[n] = arr[n], arr[i]
    permute(arr, n - 1, out)
    arr[i], arr[n] = arr[n], arr[i]
  end
  return out
end
local perms = permute({ "a", "b", "c" })
table.sort(perms)
print(#perms, table.concat(perms, " "))
-- gcd
local function gcd(a, b) if b == 0 then return a end return gcd(b, a % b) end
print(gcd(48, 18), gcd(17, 5), gcd(0, 9), gcd(2^40 | 0, 2^20 | 0))
