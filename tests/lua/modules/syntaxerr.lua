-- Helper module for tests/lua/require.lua: a syntax error.
local x = = 1
