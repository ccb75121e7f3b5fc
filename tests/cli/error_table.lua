-- CLI fixture: an uncaught error whose value is a table without __tostring.
error({ code = 1 })
