-- Table constructors with positional items (SETLIST) in loops, so compiled
-- code builds them: small ones, ones flushed in several batches of 50,
-- one long enough that the item count needs an EXTRAARG, trailing calls
-- and varargs (their count comes from the stack top), and nils inside.
local items = {}
for i = 1, 600 do items[i] = tostring(i) end
local big = load("return function() return {" .. table.concat(items, ",") .. "} end")()
local function three() return 7, 8, 9 end
local function va(...) return {...} end
local sum = 0
for round = 1, 40 do
  local t = {1, 2, 3, round}
  local u = {round, nil, "x", nil, 5}
  local w = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, round}
  local b = big()
  local c = {round, three()}
  local v = va(round, round + 1, nil, round + 3)
  sum = sum + #t + t[4] + u[1] + #w + w[60] + #b + b[600] + b[301] + #c + c[4] + v[4] + select("#", table.unpack(v, 1, 4))
end
print(sum)
