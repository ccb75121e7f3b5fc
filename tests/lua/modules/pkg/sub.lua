-- Helper module for tests/lua/require.lua: reached as require("pkg.sub").
return { name = (...) }
