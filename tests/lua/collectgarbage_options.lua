-- collectgarbage options (§6.1): every option is accepted; only deterministic facts
-- (types, booleans) are printed.
print(collectgarbage("collect"), collectgarbage())
print(math.type(collectgarbage("count")), collectgarbage("count") > 0)
print(collectgarbage("isrunning"))
print(collectgarbage("stop"))
print(collectgarbage("isrunning"))
print(collectgarbage("restart"))
print(collectgarbage("isrunning"))
print(type(collectgarbage("step")), type(collectgarbage("step", 0)), type(collectgarbage("step", 100)))
-- switching modes returns the previous mode. The initial mode is not pinned: lua.c
-- switches the standalone interpreter to generational mode at startup.
local initial = collectgarbage("incremental")
print(initial == "incremental" or initial == "generational")
print(collectgarbage("generational"))
print(collectgarbage("generational"))
print(collectgarbage("incremental"))
print(collectgarbage("incremental", 200, 100, 13))
print(collectgarbage("generational", 20, 100))
print(collectgarbage("incremental"))
-- setpause/setstepmul (deprecated, still accepted in 5.4) return numbers
print(math.type(collectgarbage("setpause", 200)), math.type(collectgarbage("setstepmul", 100)))
-- a full step cycle eventually returns true
collectgarbage("collect")
local finished = false
for _ = 1, 1000000 do
  if collectgarbage("step", 1000) then finished = true; break end
end
print("step finished a cycle:", finished)
-- stop really stops automatic collection (the count only grows)
collectgarbage("stop")
local before = collectgarbage("count")
local junk = {}
for i = 1, 1000 do junk[i] = {} end
junk = nil
for i = 1, 10000 do local _ = { i } end
print("grows while stopped:", collectgarbage("count") > before)
collectgarbage("restart")
collectgarbage()
print("collect reclaims:", collectgarbage("count") < before + 1000)
-- invalid option
print(pcall(collectgarbage, "bogus"))
print(pcall(collectgarbage, 1))
