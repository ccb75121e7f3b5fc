-- Object orientation with metatables: classes, methods, inheritance, super calls,
-- class-level fields, tostring and operators on instances.
local Animal = {}
Animal.__index = Animal
Animal.count = 0
function Animal.new(name, sound)
  local self = setmetatable({}, Animal)
  self.name = name
  self.sound = sound or "..."
  Animal.count = Animal.count + 1
  return self
end
function Animal:speak() return self.name .. " says " .. self.sound end
function Animal:kind() return "animal" end
Animal.__tostring = function(a) return a:kind() .. "(" .. a.name .. ")" end

local Dog = setmetatable({}, { __index = Animal })
Dog.__index = Dog
Dog.__tostring = Animal.__tostring
function Dog.new(name, breed)
  local self = Animal.new(name, "woof")
  self.breed = breed
  return setmetatable(self, Dog)
end
function Dog:kind() return "dog" end
function Dog:speak() return Animal.speak(self) .. " (" .. self.breed .. ")" end -- super call

local Puppy = setmetatable({}, { __index = Dog })
Puppy.__index = Puppy
Puppy.__tostring = Animal.__tostring
function Puppy.new(name) local self = Dog.new(name, "mixed"); return setmetatable(self, Puppy) end
function Puppy:speak() return Dog.speak(self) .. " and wags" end

local a = Animal.new("generic")
local d = Dog.new("rex", "collie")
local p = Puppy.new("bit")
print(a:speak())
print(d:speak())
print(p:speak())
print(tostring(a), tostring(d), tostring(p))
print(p:kind(), Animal.count, p.count, rawget(p, "count"))
-- isinstance by walking the chain
local function isinstance(obj, class)
  local mt = getmetatable(obj)
  while mt do
    if mt == class then return true end
    local parent = getmetatable(mt)
    mt = parent and parent.__index
  end
  return false
end
print(isinstance(p, Puppy), isinstance(p, Dog), isinstance(p, Animal), isinstance(d, Puppy))
-- method lookup goes through the chain; overriding on an instance
p.speak = function(self) return "instance override for " .. self.name end
print(p:speak(), Puppy.speak(p))
p.speak = nil
print(p:speak())
-- method call syntax evaluates the object once
local evals = 0
local function get() evals = evals + 1; return d end
get():speak()
print(evals)
-- operators on instances
local Vec = {}
Vec.__index = Vec
local function vec(x, y) return setmetatable({ x = x, y = y }, Vec) end
Vec.__add = function(u, v) return vec(u.x + v.x, u.y + v.y) end
Vec.__eq = function(u, v) return u.x == v.x and u.y == v.y end
Vec.__lt = function(u, v) return u:len2() < v:len2() end
Vec.__le = function(u, v) return u:len2() <= v:len2() end
Vec.__tostring = function(v) return "(" .. v.x .. ", " .. v.y .. ")" end
Vec.__len = function(v) return 2 end
Vec.__call = function(v, k) return v[k] end
function Vec:len2() return self.x * self.x + self.y * self.y end
local v1, v2 = vec(1, 2), vec(3, 4)
print(tostring(v1 + v2), v1 == vec(1, 2), v1 ~= v2, v1 < v2, v2 <= v1, #v1, v1("y"))
-- class with private state via closures
local function Account(balance)
  local self = {}
  function self.deposit(v) balance = balance + v end
  function self.balance() return balance end
  return self
end
local acc = Account(100)
acc.deposit(50)
print(acc.balance(), acc.balance == nil)
-- multiple inheritance via __index function
local function createClass(...)
  local parents = { ... }
  local c = {}
  setmetatable(c, { __index = function(_, k)
    for i = 1, #parents do local v = parents[i][k]; if v then return v end end
  end })
  c.__index = c
  return c
end
local Named = { getname = function(self) return self.name end }
local Aged = { getage = function(self) return self.age end }
local NamedAged = createClass(Named, Aged)
local na = setmetatable({ name = "Ann", age = 30 }, NamedAged)
print(na:getname(), na:getage())
