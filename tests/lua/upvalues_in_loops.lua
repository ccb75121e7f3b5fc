-- Upvalues captured inside loops: each iteration has its own variables; loop-invariant
-- outer locals are shared; closing happens at the end of each iteration.
local fns = {}
for i = 1, 5 do
  local j = i * 10
  fns[i] = function(d) j = j + d; return i, j end
end
print(fns[1](1))
print(fns[1](1))
print(fns[5](5))
print(fns[3](0))
-- while loop: locals declared in the body are fresh every iteration
local ws = {}
local n = 0
while n < 3 do
  n = n + 1
  local v = n
  ws[n] = function() v = v + 100; return v end
end
print(ws[1](), ws[1](), ws[2](), ws[3]())
-- outer variable shared by all closures created in a loop
local shared = 0
local incs = {}
for i = 1, 4 do incs[i] = function() shared = shared + i end end
for i = 1, 4 do incs[i]() end
print(shared)
-- generic for loop variables are fresh per iteration too
local gs = {}
for k, v in pairs({ a = 1, b = 2, c = 3 }) do gs[k] = function() return k .. v end end
print(gs.a(), gs.b(), gs.c())
-- nested loops capture both levels
local grid = {}
for x = 1, 3 do
  for y = 1, 3 do
    grid[#grid + 1] = function() return x * 10 + y end
  end
end
local vals = {}
for i, f in ipairs(grid) do vals[i] = f() end
print(table.concat(vals, " "))
-- closures capturing a loop variable modified inside the body
local mods = {}
for i = 1, 3 do
  local x = i
  mods[i] = function() return x end
  x = x * 2 -- the closure sees the modification (same variable)
end
print(mods[1](), mods[2](), mods[3]())
-- upvalues survive after break, and the variable in the broken iteration is closed
local after_break
for i = 1, 10 do
  local captured = "iter" .. i
  after_break = function() return captured end
  if i == 4 then break end
end
print(after_break())
-- repeat loop: until expression and closures see the same variable
local rfs = {}
local c = 0
repeat
  c = c + 1
  local mine = c
  rfs[c] = function() return mine end
until mine == 3
print(rfs[1](), rfs[2](), rfs[3]())
-- a closure created in a loop calling closures created in previous iterations
local chain = {}
for i = 1, 5 do
  local prev = chain[i - 1]
  chain[i] = function() return (prev and prev() or 0) + i end
end
print(chain[5]())
-- counter factory in a loop: independent state per closure
local counters = {}
for i = 1, 3 do
  local count = 0
  counters[i] = function() count = count + i; return count end
end
counters[1](); counters[1](); counters[2]()
print(counters[1](), counters[2](), counters[3]())
-- many iterations: closures must not leak or alias
local sum = 0
local many = {}
for i = 1, 10000 do many[i] = function() return i end end
for i = 1, 10000 do sum = sum + many[i]() end
print(sum)
