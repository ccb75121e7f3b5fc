-- fannkuch: fannkuch-redux — for every permutation of 1..n (in the
-- benchmark-game order) count pancake flips of the prefix until the first
-- element is 1; report a signed checksum and the maximum flip count.
-- Measures small-array reads/writes and integer loops.
-- Size: arg[1] = n (default 9); arg[2] = repetitions (default 2; n = 10 is
-- about 10x the work of n = 9).
local n = tonumber(arg and arg[1]) or 9
local reps = tonumber(arg and arg[2]) or 2

local function fannkuch(N)
  local perm, perm1, count = {}, {}, {}
  local maxflips, checksum, permcount = 0, 0, 0
  for i = 0, N - 1 do perm1[i] = i end
  local r = N
  while true do
    while r ~= 1 do count[r - 1] = r; r = r - 1 end
    for i = 0, N - 1 do perm[i] = perm1[i] end
    local flips = 0
    local k = perm[0]
    while k ~= 0 do
      local i, j = 0, k
      while i < j do
        perm[i], perm[j] = perm[j], perm[i]
        i = i + 1
        j = j - 1
      end
      flips = flips + 1
      k = perm[0]
    end
    if flips > maxflips then maxflips = flips end
    if permcount % 2 == 0 then checksum = checksum + flips else checksum = checksum - flips end
    -- Advance to the next permutation (rotate prefixes, odometer style).
    while true do
      if r == N then return checksum, maxflips end
      local perm0 = perm1[0]
      for i = 0, r - 1 do perm1[i] = perm1[i + 1] end
      perm1[r] = perm0
      count[r] = count[r] - 1
      if count[r] > 0 then break end
      r = r + 1
    end
    permcount = permcount + 1
  end
end

local sum, flips
for _ = 1, reps do sum, flips = fannkuch(n) end
print(string.format("%d\nPfannkuchen(%d) = %d", sum, n, flips))
