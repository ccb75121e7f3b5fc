-- Weak tables (§2.5.4): __mode "k", "v", "kv"; entries whose collectable key or value
-- is only weakly reachable disappear after a full collection; ephemeron semantics for
-- weak keys. Garbage is made inside helper functions so no live register still holds it.
local function count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end
local function fullgc() collectgarbage(); collectgarbage() end
local keep = {}
-- weak keys
local wk = setmetatable({}, { __mode = "k" })
local function fill_wk()
  for i = 1, 10 do
    local k = {}
    wk[k] = i
    if i % 2 == 0 then keep[#keep + 1] = k end
  end
  wk["string key"] = "strings are values, never removed"
  wk[42] = {}
end
fill_wk()
print("weak keys before", count(wk))
fullgc()
print("weak keys after", count(wk), wk["string key"] ~= nil, wk[42] ~= nil)
-- weak values
local wv = setmetatable({}, { __mode = "v" })
local function fill_wv()
  for i = 1, 10 do
    local v = { i }
    wv[i] = v
    if i % 5 == 0 then keep[#keep + 1] = v end
  end
  wv.s = "a string value stays"
  wv.n = 3.5
  wv.f = print -- a function that stays reachable through _G
  wv.g = function() end -- an unreachable closure is collected
end
fill_wv()
fullgc()
local vs = {}
for k, v in pairs(wv) do vs[#vs + 1] = tostring(k) end
table.sort(vs)
print("weak values after", table.concat(vs, " "))
-- weak keys and values
local wkv = setmetatable({}, { __mode = "kv" })
local function fill_wkv()
  local a, b = {}, {}
  keep.a = a
  wkv[a] = {}       -- value unreachable: removed
  wkv[{}] = b       -- key unreachable: removed
  wkv[a] = nil
  wkv[a] = b        -- both reachable (b through keep.b below)
  keep.b = b
  wkv[1] = "x"      -- non-collectable key and string value: stays
end
fill_wkv()
fullgc()
print("weak kv after", count(wkv), wkv[keep.a] == keep.b, wkv[1])
-- ephemerons: a value that refers to its own key does not keep the key alive
local eph = setmetatable({}, { __mode = "k" })
local function fill_eph()
  for i = 1, 5 do
    local k = {}
    eph[k] = { back = k, i = i }
  end
  -- a chain: k1 (kept) -> value refers to k2 -> value refers to k3
  local k1, k2, k3 = {}, {}, {}
  eph[k1] = { next = k2 }
  eph[k2] = { next = k3 }
  eph[k3] = { last = true }
  keep.k1 = k1
end
fill_eph()
fullgc()
print("ephemerons after", count(eph))
local k2 = eph[keep.k1].next
print("chain intact", eph[k2] ~= nil, eph[eph[k2].next].last)
keep.k1 = nil
k2 = nil
fullgc()
print("chain collected", count(eph))
-- entries with kept keys survive many collections
local survivors = setmetatable({}, { __mode = "k" })
for i = 1, 3 do survivors[keep[i]] = i end
for _ = 1, 5 do fullgc() end
print("survivors", count(survivors))
-- a weak table used as a cache
local cache = setmetatable({}, { __mode = "v" })
local function get(n)
  local v = cache[n]
  if not v then v = { n = n }; cache[n] = v end
  return v
end
local held = get(1)
local function churn() for i = 2, 100 do get(i) end end
churn()
fullgc()
print("cache", count(cache), cache[1] == held)
-- changing __mode after creation is honoured at the next cycle
local later = {}
local function fill_later() for i = 1, 4 do later[{}] = i end end
fill_later()
setmetatable(later, { __mode = "k" })
fullgc()
print("mode set later", count(later))
