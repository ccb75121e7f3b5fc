-- binary_trees: allocate and walk many complete binary trees (benchmark-game
-- binary-trees); measures allocation of small tables, GC throughput and
-- recursion. Peak memory at depth 16 is what `scripts/bench --memory` reports.
-- Size: arg[1] = maximum depth (default 14; 16 is the memory test).
local N = tonumber(arg and arg[1]) or 14

local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end

local function check(tree)
  local left = tree[1]
  if left then return 1 + check(left) + check(tree[2]) end
  return 1
end

local mindepth = 4
local maxdepth = mindepth + 2
if maxdepth < N then maxdepth = N end

local stretch = maxdepth + 1
print(string.format("stretch tree of depth %d\t check: %d", stretch, check(bottom_up(stretch))))

local long_lived = bottom_up(maxdepth)

for depth = mindepth, maxdepth, 2 do
  local iterations = 1
  for _ = 1, maxdepth - depth + mindepth do iterations = iterations * 2 end
  local c = 0
  for _ = 1, iterations do c = c + check(bottom_up(depth)) end
  print(string.format("%d\t trees of depth %d\t check: %d", iterations, depth, c))
end

print(string.format("long lived tree of depth %d\t check: %d", maxdepth, check(long_lived)))
