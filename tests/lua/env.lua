-- _ENV and _G (§2.2): free names are _ENV.name; _ENV can be a local, an upvalue or a
-- parameter; the main chunk's _ENV is the global table, which _G also refers to.
print(_G == _ENV, _G._G == _G, type(_ENV))
x = 1
print(_ENV.x, _G.x, rawget(_G, "x"))
-- a local _ENV redirects free names
do
  local _ENV = { print = print, y = "local env" }
  print(y, x)
  z = "set in local env"
  print(z, _ENV.z)
end
print(z, x)
-- _ENV as a function parameter
local function with_env(_ENV) return a + b end
print(with_env({ a = 1, b = 2 }))
-- _ENV as an upvalue shared by closures
local function make_sandbox()
  local _ENV = { tostring = tostring }
  local function set(k, v) _ENV[k] = v end
  local function get() return tostring(counter) end
  return set, get
end
local set, get = make_sandbox()
print(get())
set("counter", 5)
print(get())
-- changing _ENV in the middle of a function
local function switch()
  local results = {}
  results[1] = type(print)
  local _ENV = { type = type }
  results[2] = type(print)
  return results[1], results[2]
end
print(switch())
-- a global function defined under a custom _ENV lands in that table
local env = setmetatable({}, { __index = _G })
do
  local _ENV = env
  function defined_here() return "in env" end
  counter2 = (counter2 or 0) + 1
end
print(type(defined_here), env.defined_here(), env.counter2)
-- _ENV with metatables: read-only globals / tracking
local reads = {}
local tracked = setmetatable({}, { __index = function(_, k) reads[#reads + 1] = k; return _G[k] end })
do
  local _ENV = tracked
  local _ = math.pi + string.len("abc")
end
print(table.concat(reads, ","))
-- undefined global in a nil _ENV
local function nil_env()
  local _ENV = nil
  return undefined_name
end
print(pcall(nil_env))
-- _G can be replaced without affecting _ENV
local realG = _G
_G = { fake = true }
print(_G.fake, realG.print == print, _ENV == realG)
_G = realG
-- load with env and _ENV inside
local chunk = load("local a = ... ; return _ENV.value + a", "=chunk", "t", { value = 10 })
print(chunk(5))
-- setting a global via _ENV[name]
_ENV["dynamic" .. 1] = "dyn"
print(dynamic1)
-- globals are fields of _G: iteration shows them (check membership only)
print(rawget(_G, "dynamic1"), _G.print == print, rawget(_G, "nonexistent"))
-- the standard library tables are globals
local libs = { "string", "table", "math", "io", "os", "coroutine", "utf8", "debug", "package" }
local present = {}
for _, name in ipairs(libs) do present[#present + 1] = name .. "=" .. type(_G[name]) end
print(table.concat(present, " "))
print(_VERSION)
