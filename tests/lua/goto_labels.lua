-- goto and labels (§3.3.4): continue idiom, nested loops, backward jumps, scoping rules.
local out = {}
for i = 1, 10 do
  if i % 2 == 0 then goto continue end
  out[#out + 1] = i
  ::continue::
end
print(table.concat(out, " "))
-- breaking out of nested loops
local found
for i = 1, 10 do
  for j = 1, 10 do
    if i * j == 42 then found = i .. "*" .. j; goto done end
  end
end
::done::
print(found)
-- backward goto as a loop
local n = 0
::again::
n = n + 1
if n < 5 then goto again end
print(n)
-- continue in while and repeat
local k, evens = 0, {}
while k < 10 do
  k = k + 1
  if k % 2 == 1 then goto cont end
  evens[#evens + 1] = k
  ::cont::
end
print(table.concat(evens, ","))
local r = 0
repeat
  r = r + 1
  if r == 2 then goto skip end
  io.write(r, " ")
  ::skip::
until r >= 4
print()
-- each iteration gets a fresh local even with goto loops
local fns = {}
do
  local i = 1
  ::top::
  local x = i
  fns[#fns + 1] = function() return x end
  i = i + 1
  if i <= 3 then goto top end
end
print(fns[1](), fns[2](), fns[3]())
-- labels at the end of a block may be jumped to even with locals before them (5.4)
do
  goto finish
  local unused = 1
  ::finish::
end
print("end-of-block label ok")
-- compile errors
local function try(src)
  local f, err = load(src, "=goto")
  print(f and "compiled" or "nil", err)
end
try("goto nowhere")
try("do ::a:: end goto a")
try("goto f; local x; ::f:: print(x)")
try("::dup:: ::dup::")
try("::l1:: do ::l1:: end") -- 5.4: a label is visible in nested blocks: duplicate
try("for i=1,2 do goto out end ::out::")
try("local function f() goto lbl end ::lbl::")
try("break")
try("do break end")
-- goto and repeat-until scope: the until expression sees locals of the body
local m = 0
repeat
  local stop = m >= 3
  m = m + 1
until stop
print(m)
