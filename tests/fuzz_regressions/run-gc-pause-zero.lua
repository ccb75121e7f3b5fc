-- setpause 0 made every allocation a full collection (quadratic time)
collectgarbage("setpause", 0)
local big = {string.byte(("x"):rep(200000), 1, -1)}
local t = {}
for i = 1, 50000 do t[i] = {} end
