-- table_churn: string-keyed insert/delete churn on one hash table — a sliding
-- window of 1,000 live keys moves through a pool of 100,000 distinct keys,
-- so the table keeps filling with dead slots and rehashing; plus lookups.
-- Measures hash-part insert, delete (assign nil), lookup and rehash.
-- Size: arg[1] = number of insert+delete steps (default 500000).
local steps = tonumber(arg and arg[1]) or 500000
local K, W = 100000, 1000
local M = 1000000007

local keys = {}
for i = 1, K do keys[i] = "key" .. i end

local t = {}
local hits, sum = 0, 0
for step = 1, steps do
  local i = step % K + 1
  t[keys[i]] = step
  local old = (step - W) % K + 1
  t[keys[old]] = nil
  local v = t[keys[(step * 7) % K + 1]]
  if v then hits = hits + 1; sum = (sum + v) % M end
end

local live = 0
for _, v in pairs(t) do live = live + 1; sum = (sum + v) % M end
print(string.format("table_churn: live %d hits %d sum %d", live, hits, sum))
