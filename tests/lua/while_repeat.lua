-- while and repeat (§3.3.4): repeat's condition sees the body's locals.
local i = 0
while i < 5 do i = i + 1 end
print(i)
while false do error("never") end
local n = 0
while true do
  n = n + 1
  if n >= 10 then break end
end
print(n)
-- repeat runs at least once; until sees body locals
local r = 0
repeat r = r + 1 until true
print(r)
local count = 0
repeat
  local done = count >= 3
  count = count + 1
until done
print(count)
-- a closure created in the body and the until condition see the same local
local saved
repeat
  local x = 5
  saved = function() x = x + 1; return x end
until saved() == 6 and x == 6
print(saved())
-- nested while with break only exiting the inner loop
local pairs_found = {}
local a = 0
while a < 3 do
  a = a + 1
  local b = 0
  while true do
    b = b + 1
    if b > a then break end
    pairs_found[#pairs_found + 1] = a .. b
  end
end
print(table.concat(pairs_found, " "))
-- conditions: any value except nil and false is true
local vals = { 0, "", {}, false, nil }
for idx = 1, 5 do
  local v = vals[idx]
  local t = 0
  while v do t = t + 1; v = nil end
  io.write(t, " ")
end
print()
-- collatz with while
local function collatz(x)
  local steps = 0
  while x ~= 1 do
    if x % 2 == 0 then x = x // 2 else x = 3 * x + 1 end
    steps = steps + 1
  end
  return steps
end
print(collatz(27), collatz(97), collatz(871))
-- repeat with break
local k = 0
repeat
  k = k + 1
  if k == 7 then break end
until false
print(k)
-- upvalue in until condition after continue-like goto
local m = 0
repeat
  m = m + 1
  local odd = m % 2 == 1
  if odd then goto cont end
  ::cont::
until not odd and m > 4
print(m)
