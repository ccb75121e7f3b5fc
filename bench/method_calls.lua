-- method_calls: classes built with metatables and __index (including a
-- two-level inheritance chain) and obj:m() calls; measures self-call
-- dispatch, __index lookups and field access through self.
-- Size: arg[1] = iterations (default 2000000).
local n = tonumber(arg and arg[1]) or 2000000
local M = 1000003

local Counter = {}
Counter.__index = Counter
function Counter.new(start) return setmetatable({ value = start, steps = 0 }, Counter) end
function Counter:inc(d) self.value = (self.value + d) % M; self.steps = self.steps + 1 end
function Counter:get() return self.value end

-- StepCounter inherits from Counter: methods not defined here are found
-- through two __index hops.
local StepCounter = setmetatable({}, { __index = Counter })
StepCounter.__index = StepCounter
function StepCounter.new(start, step)
  local o = Counter.new(start)
  o.step = step
  return setmetatable(o, StepCounter)
end
function StepCounter:tick() self:inc(self.step) end

local Vec = {}
Vec.__index = Vec
function Vec.new(x, y) return setmetatable({ x = x, y = y }, Vec) end
function Vec:dot(o) return self.x * o.x + self.y * o.y end
function Vec:scale(k) self.x = (self.x * k) % M; self.y = (self.y * k) % M; return self end

local c = Counter.new(1)
local s = StepCounter.new(2, 3)
local a, b = Vec.new(1, 2), Vec.new(3, 4)
local acc = 0
for i = 1, n do
  c:inc(i % 7)
  s:tick()
  a:scale(3)
  acc = (acc + a:dot(b) + c:get() + s:get()) % M
end

print(string.format("method_calls: %d %d %d %d", acc, c:get(), s:get(), s.steps))
