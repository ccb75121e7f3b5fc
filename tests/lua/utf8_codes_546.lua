-- utf8.codes with Lua 5.4.6's checks (issue 3 asks for 5.4.6 behaviour): a
-- character followed by a stray continuation byte, and a subject that starts
-- with one, are "invalid UTF-8 code". Debian's lua5.4 (5.4.4) accepts both, so
-- this script's expected output is written by hand and not compared with it.
local function run(s, lax)
  local out = {}
  local ok, err = pcall(function()
    for p, c in utf8.codes(s, lax) do out[#out + 1] = p .. ":" .. c end
  end)
  print(#s, table.concat(out, " "), ok, err)
end
run("")
run("abc")
run("h\xc3\xa9llo")
run("a\x80")            -- stray continuation after 'a'
run("\xc3\xa9\x80z")    -- stray continuation after a 2-byte character
run("ab\xff")           -- invalid first byte
run("\x80abc")          -- starts with a continuation byte
run("\x80abc", true)    -- lax mode checks the first byte too
run("\xed\xa0\x80", true) -- a surrogate is fine when lax
run("\xed\xa0\x80")     -- but not when strict
print(pcall(utf8.codes, {}))
