-- Finalizers (§2.5.3): __gc must be present when setmetatable marks the object;
-- finalizers of one cycle run in reverse order of marking; an object resurrected by
-- its finalizer stays usable and is not finalized again; remaining finalizers run
-- at exit (lua_close), also in reverse order of marking.
local log = {}
local function fullgc() collectgarbage(); collectgarbage() end
local function make(name)
  return setmetatable({ name = name }, { __gc = function(o) log[#log + 1] = o.name end })
end
local function garbage(...)
  for _, name in ipairs({ ... }) do make(name) end
end
garbage("first", "second", "third")
fullgc()
print("collected:", table.concat(log, " "))
-- __gc added to the metatable after setmetatable does not count
log = {}
local function late()
  local mt = {}
  setmetatable({ name = "late" }, mt)
  mt.__gc = function(o) log[#log + 1] = o.name end
end
late()
fullgc()
print("late __gc ran:", #log > 0)
-- ... but setting the metatable again (with __gc present) marks it
log = {}
local function again()
  local mt = {}
  local o = setmetatable({ name = "again" }, mt)
  mt.__gc = function(x) log[#log + 1] = x.name end
  setmetatable(o, mt)
end
again()
fullgc()
print("re-set metatable:", table.concat(log, " "))
-- __gc = false/true placeholder marks the object; a function put there later is called
log = {}
local function placeholder()
  local mt = { __gc = true }
  setmetatable({ name = "placeholder" }, mt)
  mt.__gc = function(o) log[#log + 1] = o.name end
end
placeholder()
fullgc()
print("placeholder:", table.concat(log, " "))
-- resurrection
local saved
local function resurrect()
  setmetatable({ name = "phoenix", value = 42 }, { __gc = function(o)
    saved = o
    log[#log + 1] = "resurrected " .. o.name
  end })
end
log = {}
resurrect()
fullgc()
print(table.concat(log, " "), saved and saved.value, saved and saved.name)
saved.value = saved.value + 1
print("still usable:", saved.value)
log = {}
saved = nil
fullgc()
print("finalized again:", #log)
-- a finalizer that errors does not stop the others (the error becomes a warning,
-- and warnings are off by default, so nothing is printed)
log = {}
local function with_error()
  make("before-error")
  setmetatable({}, { __gc = function() error("finalizer error") end })
  make("after-error")
end
with_error()
fullgc()
print("with error:", table.concat(log, " "))
-- objects reachable from a finalized object are still intact inside the finalizer
log = {}
local function nested()
  local child = { data = "child data" }
  setmetatable({ child = child }, { __gc = function(o) log[#log + 1] = o.child.data end })
end
nested()
fullgc()
print("nested:", table.concat(log, " "))
-- finalizers at exit: these objects stay reachable until the end of the script
exit_objects = {}
for i = 1, 3 do
  exit_objects[i] = setmetatable({ i = i }, { __gc = function(o) print("exit finalizer", o.i) end })
end
print("end of script")
