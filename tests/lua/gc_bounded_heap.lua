-- The collector keeps the heap bounded under a stream of short-lived allocations.
-- Prints only whether the bound held (never the amounts).
local LIMIT_KB = 100 * 1024 -- 100 MB
local peak = 0
local keep = nil
for i = 1, 10000000 do
  local t = { i, i + 1 } -- garbage at the next iteration
  if i % 1000 == 0 then keep = { t } end -- a few objects survive a little longer
  if i % 100000 == 0 then
    local kb = collectgarbage("count")
    if kb > peak then peak = kb end
  end
end
print("allocated 10,000,000 tables")
print("heap stayed bounded:", peak < LIMIT_KB)
-- strings too
for i = 1, 200000 do
  local s = "str" .. i
  if i % 50000 == 0 then
    if collectgarbage("count") > peak then peak = collectgarbage("count") end
  end
end
print("strings bounded:", peak < LIMIT_KB)
-- closures
for i = 1, 500000 do
  local f = function() return i end
  if i % 100000 == 0 and collectgarbage("count") > peak then peak = collectgarbage("count") end
end
print("closures bounded:", peak < LIMIT_KB, keep ~= nil)
