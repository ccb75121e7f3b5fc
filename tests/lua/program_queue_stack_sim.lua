-- Queue and stack simulation: a bank with tellers (FIFO queue as a ring of indices),
-- an undo stack, and bracket matching with a stack. Deterministic LCG for arrivals.
local Queue = {}
Queue.__index = Queue
function Queue.new() return setmetatable({ first = 1, last = 0, items = {} }, Queue) end
function Queue:push(v) self.last = self.last + 1; self.items[self.last] = v end
function Queue:pop()
  if self.first > self.last then return nil end
  local v = self.items[self.first]
  self.items[self.first] = nil
  self.first = self.first + 1
  return v
end
function Queue:size() return self.last - self.first + 1 end
local Stack = {}
Stack.__index = Stack
function Stack.new() return setmetatable({ n = 0 }, Stack) end
function Stack:push(v) self.n = self.n + 1; self[self.n] = v end
function Stack:pop() local v = self[self.n]; self[self.n] = nil; self.n = self.n - 1; return v end
function Stack:peek() return self[self.n] end
-- simulation
local seed = 2024
local function rand(n) seed = (seed * 6364136223846793005 + 1442695040888963407); return (seed >> 33) % n end
local q = Queue.new()
local tellers = { 0, 0, 0 } -- remaining service time per teller
local served, waited, maxlen, nextid = 0, 0, 0, 1
for tick = 1, 500 do
  for _ = 1, rand(3) do q:push({ id = nextid, arrived = tick }); nextid = nextid + 1 end
  for t = 1, #tellers do
    if tellers[t] > 0 then tellers[t] = tellers[t] - 1 end
    if tellers[t] == 0 and q:size() > 0 then
      local c = q:pop()
      waited = waited + (tick - c.arrived)
      served = served + 1
      tellers[t] = 1 + rand(4)
    end
  end
  if q:size() > maxlen then maxlen = q:size() end
end
print("arrived", nextid - 1, "served", served, "left in queue", q:size(), "max queue", maxlen)
print("average wait", string.format("%.3f", waited / served))
-- queue memory: popped slots are cleared
local count = 0
for _ in pairs(q.items) do count = count + 1 end
print("slots in use", count == q:size())
-- undo stack for a text buffer
local buffer, undo = {}, Stack.new()
local function apply(op)
  if op.kind == "add" then buffer[#buffer + 1] = op.text
  elseif op.kind == "del" then op.removed = table.remove(buffer) end
  undo:push(op)
end
local function revert()
  local op = undo:pop()
  if op.kind == "add" then table.remove(buffer) else buffer[#buffer + 1] = op.removed end
end
for _, w in ipairs({ "alpha", "beta", "gamma", "delta" }) do apply({ kind = "add", text = w }) end
apply({ kind = "del" })
apply({ kind = "del" })
print(table.concat(buffer, " "), undo.n)
revert(); revert(); revert()
print(table.concat(buffer, " "), undo.n)
-- bracket matching
local pairs_of = { [")"] = "(", ["]"] = "[", ["}"] = "{" }
local function balanced(s)
  local st = Stack.new()
  for i = 1, #s do
    local c = s:sub(i, i)
    if c == "(" or c == "[" or c == "{" then st:push(c)
    elseif pairs_of[c] then
      if st:pop() ~= pairs_of[c] then return false, i end
    end
  end
  return st.n == 0, st.n
end
for _, s in ipairs({ "()", "([]{})", "(]", "((", "{[()()]}", "", "a(b)c]" }) do
  print(string.format("%-12s", string.format("%q", s)), balanced(s))
end
-- a double-ended queue via two stacks
local inbox, outbox = Stack.new(), Stack.new()
local function enqueue(v) inbox:push(v) end
local function dequeue()
  if outbox.n == 0 then while inbox.n > 0 do outbox:push(inbox:pop()) end end
  return outbox:pop()
end
for i = 1, 5 do enqueue(i) end
local out = { dequeue(), dequeue() }
for i = 6, 8 do enqueue(i) end
while true do local v = dequeue(); if v == nil then break end out[#out + 1] = v end
print(table.concat(out, " "))
