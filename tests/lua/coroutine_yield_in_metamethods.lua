-- Yielding from inside metamethods and iterators called by Lua code (5.4 allows it:
-- the interrupted instruction is finished when the coroutine resumes).
local log = {}
local function note(s) log[#log + 1] = s end
local mt = {
  __index = function(t, k) local v = coroutine.yield("index " .. k); return v end,
  __newindex = function(t, k, v) local w = coroutine.yield("newindex " .. k); rawset(t, k, v .. w) end,
  __add = function(a, b) return coroutine.yield("add") end,
  __sub = function(a, b) return coroutine.yield("sub") end,
  __unm = function(a) return coroutine.yield("unm") end,
  __band = function(a, b) return coroutine.yield("band") end,
  __lt = function(a, b) return coroutine.yield("lt") end,
  __le = function(a, b) return coroutine.yield("le") end,
  __eq = function(a, b) return coroutine.yield("eq") end,
  __concat = function(a, b) return coroutine.yield("concat") end,
  __len = function(a) return coroutine.yield("len") end,
  __call = function(self, x) return coroutine.yield("call " .. x) end,
  __close = function() note("closed after " .. coroutine.yield("close")) end,
}
local A = setmetatable({}, mt)
local B = setmetatable({}, mt)
local script = coroutine.wrap(function()
  note("index=" .. A.foo)
  A.bar = "v"
  note("newindex=" .. rawget(A, "bar"))
  note("add=" .. (A + 1))
  note("sub=" .. (2 - A))
  note("unm=" .. -A)
  note("band=" .. (A & 1))
  note("lt=" .. tostring(A < B))
  note("le=" .. tostring(A <= B))
  note("eq=" .. tostring(A == B))
  if A < B then note("lt in if: true") else note("lt in if: false") end
  note("concat=" .. ("x" .. A .. "y"))
  note("len=" .. #A)
  note("call=" .. A("arg"))
  do local c <close> = A end
  -- generic for with an iterator that yields
  local function yielding_iter(_, i)
    if i < 3 then return coroutine.yield("iter " .. i) end
  end
  for i in yielding_iter, nil, 0 do note("for i=" .. i) end
  return "script done"
end)
-- drive the coroutine: answer every yield with a value derived from its request
local answers = {
  ["index foo"] = "FOO", ["newindex bar"] = "!", add = 100, sub = 200, unm = 300,
  band = 400, lt = true, le = false, eq = 1, concat = "CAT", len = 7, ["call arg"] = "CALLED",
  close = "resume", ["iter 0"] = 1, ["iter 1"] = 2, ["iter 2"] = 3,
}
local requests = {}
local r = script()
while r ~= "script done" do
  requests[#requests + 1] = r
  r = script(answers[r])
end
print(table.concat(requests, " | "))
for _, l in ipairs(log) do print(l) end
-- yield inside __index chains through several levels
local deep = setmetatable({}, { __index = setmetatable({}, {
  __index = function(_, k) return coroutine.yield(k) .. "!" end }) })
local co = coroutine.wrap(function() return deep.a .. deep.b end)
print(co(), co("A"), co("B"))
-- yield inside a metamethod inside pcall inside a coroutine
local co2 = coroutine.wrap(function()
  return pcall(function() return A + A end)
end)
print(co2(), co2("pcall add"))
-- table.sort's comparator is called from a library function: lua5.4 refuses to yield
-- there ("attempt to yield across a C-call boundary"), a stackful implementation may
-- allow it; both are accepted, anything else is not.
local sorter = coroutine.create(function()
  local t = { 5, 2, 4, 1, 3 }
  table.sort(t, function(a, b) coroutine.yield("cmp"); return a < b end)
  return table.concat(t, ",")
end)
local ok, v = coroutine.resume(sorter)
while ok and coroutine.status(sorter) == "suspended" do ok, v = coroutine.resume(sorter) end
if ok then
  print("sort with yielding comparator:", v == "1,2,3,4,5" and "ok" or v)
else
  print("sort with yielding comparator:", v == "attempt to yield across a C-call boundary" and "ok" or v)
end
