-- CLI fixture: a runtime error on line 3, reported on stderr with a traceback.
local t = nil
print(t.field)
