-- mandelbrot: escape-time Mandelbrot set over a size x size grid (50
-- iterations, benchmark-game parameters); packs pixels 8 per byte as the PBM
-- output would, but prints a checksum of the bytes instead of the image.
-- Measures float arithmetic in tight while loops.
-- Size: arg[1] = width = height in pixels (default 1000).
local size = tonumber(arg and arg[1]) or 1000
local M = 2147483647

local inset, hash, nbytes = 0, 0, 0
for y = 0, size - 1 do
  local ci = 2 * y / size - 1
  local byte, bits = 0, 0
  for x = 0, size - 1 do
    local cr = 2 * x / size - 1.5
    local zr, zi, tr, ti = 0.0, 0.0, 0.0, 0.0
    local i = 0
    while i < 50 and tr + ti <= 4.0 do
      zi = 2 * zr * zi + ci
      zr = tr - ti + cr
      tr = zr * zr
      ti = zi * zi
      i = i + 1
    end
    byte = byte * 2
    if tr + ti <= 4.0 then byte = byte + 1; inset = inset + 1 end
    bits = bits + 1
    if bits == 8 or x == size - 1 then
      while bits < 8 do byte = byte * 2; bits = bits + 1 end
      hash = (hash * 31 + byte) % M
      nbytes = nbytes + 1
      byte, bits = 0, 0
    end
  end
end

print(string.format("mandelbrot %d: %d bytes, %d in set, hash %d", size, nbytes, inset, hash))
