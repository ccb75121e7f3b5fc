-- Inline caches must never return stale results: every site below is warmed
-- up (run many times), then the tables it reads change in ways that move,
-- remove or shadow the cached key, and the same site runs again.

local function warm(f, ...) local r for _ = 1, 200 do r = f(...) end return r end

-- field get (GETFIELD)
local function getx(t) return t.x end
local p = {x = 1, y = 2}
print("field get", warm(getx, p))
p.x = nil                                  -- key removed
print("removed", getx(p))
p.x = 3                                    -- key back (same slot or another)
print("re-added", getx(p))
for i = 1, 40 do p["k" .. i] = i end       -- hash part resized
print("resized", getx(p))
local q = {}                               -- no x, then __index supplies one
print("absent", warm(getx, q))
setmetatable(q, {__index = {x = "from __index"}})
print("metatable set", getx(q))
getmetatable(q).__index = function(_, k) return "function " .. k end
print("__index replaced", getx(q))
q.x = "own"
print("own shadows", getx(q))
local r = setmetatable({}, {__index = setmetatable({}, {__index = {x = "two hops"}})})
print("two hops", getx(r))

-- field set (SETFIELD)
local function setx(t, v) t.x = v end
local s = {x = 0}
warm(setx, s, 5)
print("field set", s.x)
s.x = nil
local log = {}
setmetatable(s, {__newindex = function(t, k, v) log[#log + 1] = k .. "=" .. v; rawset(t, k, v) end})
setx(s, 7)                                 -- absent key: __newindex runs
print("newindex", s.x, table.concat(log, ","))
setx(s, 8)                                 -- present key: no __newindex
print("present", s.x, #log)
for i = 1, 40 do rawset(s, "k" .. i, i) end
setx(s, 9)
print("resized", s.x, #log)

-- global get and set (GETTABUP / SETTABUP on _ENV)
gv = 1
local function getg() return gv end
local function setg(v) gv = v end
print("global get", warm(getg))
warm(setg, 2)
print("global set", gv, getg())
gv = nil
print("global removed", getg())
setmetatable(_G, {__index = function(_, k) return "missing " .. k end,
                  __newindex = function(t, k, v) rawset(t, k, v .. "!") end})
print("global __index", getg())
setg("new")
print("global __newindex", rawget(_G, "gv"), getg())
for i = 1, 100 do rawset(_G, "filler" .. i, i) end
print("globals resized", getg())
setmetatable(_G, nil)

-- method lookup (SELF)
local A = {} A.__index = A
function A:name() return "A" end
local B = {} B.__index = B
function B:name() return "B" end
local function call_name(o) return o:name() end
local o = setmetatable({}, A)
print("method", warm(call_name, o))
function A:name() return "A2" end          -- method replaced in the class
print("replaced", call_name(o))
setmetatable(o, B)                         -- metatable changed
print("new metatable", call_name(o))
o.name = function() return "own" end       -- object shadows the class
print("own method", call_name(o))
o.name = nil
B.__index = A                              -- __index moved to another table
print("__index moved", call_name(o))
B.__index = function(_, k) return function() return "fn " .. k end end
print("__index function", call_name(o))
local C = setmetatable({}, {__index = A}) C.__index = C
print("inherited", call_name(setmetatable({}, C)))
print(pcall(call_name, setmetatable({}, {__index = {}})))

-- calls (CALL)
local function one() return 1 end
local function two() return 2 end
local fns = {one}
local function callit() return fns[1]() end
print("call", warm(callit))
fns[1] = two
print("callee changed", callit())
fns[1] = setmetatable({}, {__call = function() return "callable" end})
print("__call", callit())
fns[1] = print
print("native", callit())
