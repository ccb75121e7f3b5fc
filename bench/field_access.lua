-- field_access: string-keyed field reads and writes on plain table objects
-- (hash part, constant keys); measures GETFIELD/SETFIELD paths.
-- Size: arg[1] = rounds over 100 objects (default 60000).
local rounds = tonumber(arg and arg[1]) or 60000

local objs = {}
for i = 1, 100 do
  objs[i] = { x = i, y = i * 2, z = 0, w = 1, count = 0, name = "obj" .. i }
end

for _ = 1, rounds do
  for i = 1, 100 do
    local o = objs[i]
    o.z = o.x + o.y
    o.x = o.y % 1000
    o.y = (o.z + o.w) % 997
    o.w = o.w + 1
    o.count = o.count + 1
  end
end

local sx, sy, sz, sc = 0, 0, 0, 0
for i = 1, 100 do
  local o = objs[i]
  sx, sy, sz, sc = sx + o.x, sy + o.y, sz + o.z, sc + o.count
end
print(string.format("field_access: %d %d %d %d", sx, sy, sz, sc))
