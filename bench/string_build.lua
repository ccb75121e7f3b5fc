-- string_build: builds strings from many small pieces with string.format,
-- the .. operator and table.concat; measures string creation/interning and
-- buffer building.
-- Size: arg[1] = rounds (default 60) of 10,000 formatted records each.
local rounds = tonumber(arg and arg[1]) or 60
local M = 2147483647
local words = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta" }

local total_len, hash = 0, 0
for r = 1, rounds do
  local parts = {}
  for i = 1, 10000 do
    local w = words[(i + r) % 8 + 1]
    parts[#parts + 1] = string.format("%s-%d", w, i * r) .. ":" .. w .. ";"
  end
  local s = table.concat(parts)
  local line = table.concat(parts, "\n", 1, 100)
  total_len = total_len + #s + #line
  for k = 1, #s, 997 do hash = (hash * 31 + s:byte(k)) % M end
end

print(string.format("string_build: length %d hash %d", total_len, hash))
