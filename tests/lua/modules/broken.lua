-- Helper module for tests/lua/require.lua: fails while loading.
error("broken module failed")
