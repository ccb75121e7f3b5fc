-- CLI fixture: an uncaught error whose value has a __tostring metamethod.
error(setmetatable({}, { __tostring = function() return "custom error object" end }))
