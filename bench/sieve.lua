-- sieve: sieve of Eratosthenes over 1..n, repeated; measures array-part
-- table stores/loads and nested numeric loops.
-- Size: arg[1] = repetitions (default 10) of a sieve up to 1,000,000.
local reps = tonumber(arg and arg[1]) or 10
local N = 1000000

local function sieve(n)
  local composite = {}
  for i = 1, n do composite[i] = false end
  local count = 0
  for i = 2, n do
    if not composite[i] then
      count = count + 1
      for j = i * i, n, i do composite[j] = true end
    end
  end
  return count
end

local total = 0
for _ = 1, reps do total = total + sieve(N) end
print(string.format("sieve: %d primes below %d, total %d", sieve(N), N, total))
