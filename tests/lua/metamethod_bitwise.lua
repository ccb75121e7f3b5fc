-- Bitwise metamethods (§2.4): __band __bor __bxor __shl __shr __bnot.
local B = {}
local function bits(v) return setmetatable({ v = v }, B) end
local function val(x) return type(x) == "table" and x.v or x end
B.__band = function(a, b) return bits(val(a) & val(b)) end
B.__bor = function(a, b) return bits(val(a) | val(b)) end
B.__bxor = function(a, b) return bits(val(a) ~ val(b)) end
B.__shl = function(a, b) return bits(val(a) << val(b)) end
B.__shr = function(a, b) return bits(val(a) >> val(b)) end
B.__bnot = function(a) return bits(~val(a)) end
local x, y = bits(12), bits(10)
print((x & y).v, (x | y).v, (x ~ y).v, (x << 2).v, (x >> 2).v, (~x).v)
print((3 & x).v, (1 << bits(4)).v, (0xFF ~ y).v)
-- floats without integer representation go to the metamethod instead of raising
local F = setmetatable({}, { __bor = function(a, b) 
  local function d(v) return type(v) == "table" and "T" or tostring(v) end
  return "bor:" .. d(a) .. "," .. d(b)
end })
print(F | 1.5, 1.5 | F)
-- strings: the string metatable has no bitwise metamethods, other operand's is used
print("3" | F)
-- __bnot receives the operand twice
local N = setmetatable({}, { __bnot = function(a, b) return rawequal(a, b) end })
print(~N)
-- errors
print(pcall(function() return {} & 1 end))
print(pcall(function() local t = {}; return ~t end))
print(pcall(function() return 1.5 & 1 end))
print(pcall(function() local f = 2.5; return f << 1 end))
print(pcall(function() local t = { k = 1.5 }; return 1 >> t.k end))
