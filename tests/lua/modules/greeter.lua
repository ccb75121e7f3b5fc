-- Helper module for tests/lua/require.lua (not a test script itself).
local name, path = ...
local M = { loaded_as = name, loaded_from = path }
M.count = (M.count or 0) + 1
_G.greeter_loads = (_G.greeter_loads or 0) + 1
function M.greet(who) return "hello, " .. who end
return M
