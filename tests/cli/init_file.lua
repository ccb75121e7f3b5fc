-- CLI fixture: run through LUA_INIT=@tests/cli/init_file.lua before the script.
init_value = "from init file"
print("init file ran")
