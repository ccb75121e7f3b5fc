-- require and package (§6.3). Run from the repository root: package.path points at
-- tests/lua/modules/.
package.path = "tests/lua/modules/?.lua;tests/lua/modules/?/init.lua"
-- keep only the preload and Lua searchers so messages do not depend on C module paths
print(type(package.searchers), #package.searchers >= 2, type(package.cpath))
for i = #package.searchers, 3, -1 do table.remove(package.searchers, i) end
local g = require("greeter")
print(g.greet("world"), g.loaded_as, g.loaded_from)
print(select("#", require("greeter")), select(2, require("greeter")))
print(require("greeter") == g, package.loaded.greeter == g, greeter_loads)
-- a module returning nothing stores true
print(require("noreturn"), package.loaded.noreturn, noreturn_ran)
-- dotted names map to directories
local sub = require("pkg.sub")
print(sub.name, package.loaded["pkg.sub"] == sub)
-- package.preload wins over files
package.preload["virtual"] = function(name, extra) return { name = name, extra = extra } end
local v = require("virtual")
print(v.name, v.extra)
-- package.loaded can be set by hand
package.loaded["manual"] = "manual value"
print(require("manual"))
-- reloading after clearing package.loaded
package.loaded.greeter = nil
local g2 = require("greeter")
print(g2 ~= g, greeter_loads)
-- missing module: the message lists every place tried
local ok, err = pcall(require, "no_such_module")
print(ok)
print(err)
-- module that raises an error while loading
ok, err = pcall(require, "broken")
print(ok, err)
print(package.loaded.broken)
-- syntax error in a module
ok, err = pcall(require, "syntaxerr")
print(ok, err)
-- package.searchpath
print(package.searchpath("greeter", package.path))
print(package.searchpath("pkg.sub", package.path))
print(package.searchpath("nope", "tests/lua/modules/?.lua;tests/lua/?.x"))
print(package.searchpath("a.b.c", "?", ".", "/"))
print(package.searchpath("greeter", "tests/lua/modules/?.lua", "", ""))
-- package fields
print(#package.searchers, package.config:sub(1, 1))
print(package.loaded._G == _G, package.loaded.string == string, package.loaded.package == package)
-- require with a non-string
print(pcall(require))
-- a custom searcher
table.insert(package.searchers, 2, function(name)
  if name:match("^gen%.") then
    return function(n, x) return { generated = n, extra = x } end, "generator-data"
  end
  return "\n\tno generated module '" .. name .. "'"
end)
local gen = require("gen.thing")
print(gen.generated, gen.extra)
