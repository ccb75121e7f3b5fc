-- To-be-closed variables (§3.3.8): closed in reverse order when the variable goes out
-- of scope by normal exit, break, goto, return or error; __close(value, errorobj).
local log = {}
local function closer(name)
  return setmetatable({}, { __close = function(_, err)
    log[#log + 1] = name .. (err ~= nil and ("!" .. tostring(err)) or "")
  end })
end
local function flush(label)
  print(label, table.concat(log, " "))
  log = {}
end
do
  local a <close> = closer("a")
  local b <close> = closer("b")
  local c <close> = nil -- nil and false are allowed and ignored
  local d <close> = false
  log[#log + 1] = "body"
end
flush("block")
-- break
for i = 1, 3 do
  local x <close> = closer("x" .. i)
  if i == 2 then break end
end
flush("break")
-- goto out of a block, and goto back (each iteration closes)
do
  local i = 1
  ::top::
  do
    local g <close> = closer("g" .. i)
    i = i + 1
    if i <= 3 then goto top end
  end
end
flush("goto")
-- return: values computed before closing
local function ret()
  local r <close> = closer("r")
  log[#log + 1] = "returning"
  return "value"
end
print(ret())
flush("return")
-- error: __close receives the error object, error continues after closing
local ok, err = pcall(function()
  local e1 <close> = closer("e1")
  local e2 <close> = closer("e2")
  error("oops", 0)
end)
print(ok, err)
flush("error")
-- error inside __close replaces the original error; other variables still closed
ok, err = pcall(function()
  local z1 <close> = closer("z1")
  local z2 <close> = setmetatable({}, { __close = function() error("close failed", 0) end })
  local z3 <close> = closer("z3")
  error("original", 0)
end)
print(ok, err)
flush("error in close")
-- error in __close at normal exit
ok, err = pcall(function()
  local n1 <close> = closer("n1")
  local n2 <close> = setmetatable({}, { __close = function() error("late", 0) end })
end)
print(ok, err)
flush("normal exit, close errors")
-- values without __close are an error at declaration
ok, err = pcall(function() local bad <close> = {} end)
print(ok, err)
ok, err = pcall(function() local bad <close> = 42 end)
print(ok, err)
-- tbc variables are constants
print(load("local x <close> = nil; x = 1", "=tbc"))
-- tbc in generic for: the 4th value is closed when the loop ends (normally or by break)
local function iter_with_close(n, name)
  local i = 0
  return function() i = i + 1; if i <= n then return i end end, nil, nil, closer(name)
end
for i in iter_with_close(2, "for-normal") do log[#log + 1] = "i" .. i end
flush("for normal")
for i in iter_with_close(5, "for-break") do
  log[#log + 1] = "i" .. i
  if i == 2 then break end
end
flush("for break")
local function ret_from_for()
  for i in iter_with_close(5, "for-return") do
    if i == 3 then return "returned " .. i end
  end
end
print(ret_from_for())
flush("for return")
-- tbc with a coroutine-style callable __close getting nil error on normal exit
do
  local got = "unset"
  do
    local v <close> = setmetatable({}, { __close = function(o, e) got = select("#", o, e) .. ":" .. tostring(e) end })
  end
  print("close args", got)
end
-- the closing value is the one at declaration time
do
  local obj = closer("orig")
  do
    local c <close> = obj
  end
end
flush("orig")
-- nested functions and tail position: a return f() from a block with tbc is not a tail call
local function inner() log[#log + 1] = "inner"; return "inner-result" end
local function outer()
  local o <close> = closer("outer")
  return inner()
end
print(outer())
flush("not tail")
