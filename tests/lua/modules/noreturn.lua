-- Helper module for tests/lua/require.lua: returns nothing, sets a global.
noreturn_ran = true
