-- file_lines: writes a temporary text file line by line with io.write
-- (~100 MB by default), then reads it back with io.lines counting lines and
-- bytes; the file is removed at the end. Measures buffered file I/O and
-- line splitting.
-- Size: arg[1] = megabytes to write (default 100).
local mb = tonumber(arg and arg[1]) or 100
local target = mb * 1000000

local name = os.tmpname()
-- Line bodies of varied length (0 to ~140 bytes, ~75 on average).
local fillers = {
  "the quick brown fox jumps over the lazy dog; the quick brown fox jumps over the lazy dog",
  "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua",
  "",
  "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  "a",
  "Sphinx of black quartz, judge my vow. Pack my box with five dozen liquor jugs. How vexingly quick daft zebras jump! 1234567890",
  "key=value; other_key=other_value; third=3",
  "--------------------------------------------------------------------------------------------------------------------------------------------",
}

io.output(name)
local written, nlines = 0, 0
while written < target do
  nlines = nlines + 1
  local f = fillers[nlines % 8 + 1]
  io.write(nlines, " ", f, "\n")
  written = written + #tostring(nlines) + #f + 2
end
io.close()
io.output(io.stdout)

local lines, bytes, sum = 0, 0, 0
for line in io.lines(name) do
  lines = lines + 1
  bytes = bytes + #line + 1
  sum = sum + #line % 7
end
os.remove(name)

if lines ~= nlines or bytes ~= written then error("file_lines: read back a different file") end
print(string.format("file_lines: %d lines %d bytes sum %d", lines, bytes, sum))
