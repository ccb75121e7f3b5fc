-- pattern_gsub_find: Lua pattern matching over a generated ~250 KB text:
-- string.gsub with captures, a function replacement and character classes;
-- string.find with patterns and plain search; string.gmatch word counting.
-- Measures the pattern-matching engine.
-- Size: arg[1] = passes over the text (default 16).
local passes = tonumber(arg and arg[1]) or 16

-- Deterministic text from a Park-Miller LCG (no math.random, so every
-- runtime sees the same text).
local seed = 42
local function rand(k)
  seed = (seed * 16807) % 2147483647
  return seed % k
end
local syll = { "ka", "lo", "mi", "nu", "re", "sa", "to", "vi", "xe", "zu" }
local lines = {}
for l = 1, 4000 do
  local words = {}
  for w = 1, 8 do
    local word = {}
    for _ = 1, rand(3) + 1 do word[#word + 1] = syll[rand(10) + 1] end
    words[w] = table.concat(word)
  end
  lines[l] = string.format("%s=%d %s %s, %s. id:%d %s %s %s (%s)", words[1], rand(100000),
    words[2], words[3], words[4], l, words[5], words[6], words[7], words[8])
end
local text = table.concat(lines, "\n")

local total = 0
for _ = 1, passes do
  local s1, n1 = text:gsub("(%a+)=(%d+)", "%2=%1")
  local _, n2 = s1:gsub("%d+", function(d) return #d end)
  local s3, n3 = text:gsub("[aeiou]", "")
  local _, n4 = text:gsub("%s+", " ")
  local words = 0
  for _ in text:gmatch("%a+") do words = words + 1 end
  local finds, pos = 0, 1
  while true do
    local s, e = text:find("id:%d+", pos)
    if not s then break end
    finds = finds + 1
    pos = e + 1
  end
  local plain, ppos = 0, 1
  while true do
    local s = text:find("kalo", ppos, true)
    if not s then break end
    plain = plain + 1
    ppos = s + 1
  end
  local paren = 0
  for l = 1, #lines, 3 do
    if lines[l]:find("%((%a+)%)$") then paren = paren + 1 end
  end
  total = total + n1 + n2 + n3 + n4 + words + finds + plain + paren + #s3
end

print(string.format("pattern_gsub_find: text %d bytes, total %d", #text, total))
