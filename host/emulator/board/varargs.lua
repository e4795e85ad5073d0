--[[
Vararg helpers of the emulator's stand-ins, in plain Lua: TypeScriptToLua would pack varargs
into a table, and every table a stand-in makes on the firmware's behalf would count as the
board's heap. Copied next to the transpiled emulator by the build (build/emu/emu_varargs.lua).
]]
local select, unpack, tostring, type, concat, char, floor, error = select, unpack, tostring, type, table.concat, string.char, math.floor, error
-- {n = count, ...}: keeps trailing nils (a chunk returning nil prints "nil" at the prompt).
local function packn(...) return { n = select("#", ...), ... } end
local function calln(f, t, n) return f(unpack(t, 1, n)) end
-- tostring of every argument joined by sep: no table for up to three (print's usual case).
local function joinArgs(sep, ...)
  local n = select("#", ...)
  if n == 1 then return tostring((...)) end
  if n == 2 then local a, b = ... return tostring(a) .. sep .. tostring(b) end
  if n == 3 then local a, b, c = ... return tostring(a) .. sep .. tostring(b) .. sep .. tostring(c) end
  if n == 0 then return "" end
  local t = { ... }
  for i = 1, n do t[i] = tostring(t[i]) end
  return concat(t, sep, 1, n)
end
-- uart.write's items: strings, or numbers 0..255 as bytes.
local function item(v)
  if type(v) == "string" then return v end
  if type(v) == "number" then
    local b = floor(v)
    if b < 0 or b > 255 then return error("invalid number", 0) end
    return char(b)
  end
  return error("bad argument to 'write' (string expected)", 0)
end
local function uartBytes(...)
  local n = select("#", ...)
  if n == 1 then return item((...)) end
  if n == 2 then local a, b = ... return item(a) .. item(b) end
  if n == 3 then local a, b, c = ... return item(a) .. item(b) .. item(c) end
  if n == 0 then return "" end
  local t = { ... }
  for i = 1, n do t[i] = item(t[i]) end
  return concat(t, "", 1, n)
end
return { packn = packn, calln = calln, joinArgs = joinArgs, uartBytes = uartBytes }
