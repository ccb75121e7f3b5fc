-- CLI fixture: shows what LUA_INIT (or a -l module) left in the global table.
print("script sees", init_value, mod_global)
