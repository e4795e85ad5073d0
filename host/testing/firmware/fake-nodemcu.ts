/**
 * A small fake NodeMCU (Lua source) for testing the firmware in a plain Lua VM before/besides the
 * emulated board: in-memory flash, manual clock, timers, tasks, uart capture, an hx711 module
 * that delivers batches, and a bit-banged HX711 behind gpio.trig/read/write that checks PD_SCK
 * high time in VM instructions. Not a model of the hardware (host/emulator is): it drives the
 * firmware's code paths deterministically and counts VM instructions per callback.
 * Needs `__sethook` (debug.sethook saved before the NodeMCU profile removes it).
 */
export const FAKE_NODEMCU_LUA = String.raw`
local T = { now = 2000000, out = {}, files = {}, timers = {}, tasks = {}, trigs = {}, pins = {},
  instr = 0, maxCb = 0, cbs = 0, restarted = false, value = {0, 0}, period = {12500, 12500},
  next = {0, 0}, maxHigh = 0, bbLost = 0, noise = 2 }
FAKE = T
local M31 = 2147483648
local counting = 0
-- the fake's own Lua (gpio.read/write) is not the firmware's: not counted
local paused = false
local function hook() if not paused then counting = counting + 1 end end
local function counted(f, ...)
  counting = 0
  __sethook(hook, "", 1)
  local ok, err = pcall(f, ...)
  __sethook()
  T.instr = T.instr + counting
  T.cbs = T.cbs + 1
  if counting > T.maxCb then T.maxCb = counting end
  if not ok then T.errors = (T.errors or "") .. tostring(err) .. "\n" end
  -- tasks posted by the callback run after it
  while #T.tasks > 0 do
    local t = table.remove(T.tasks, 1)
    counting = 0
    __sethook(hook, "", 1)
    local ok2, err2 = pcall(t)
    __sethook()
    T.instr = T.instr + counting
    if counting > T.maxCb then T.maxCb = counting end
    if not ok2 then T.errors = (T.errors or "") .. tostring(err2) .. "\n" end
  end
end
T.counted = counted

tmr = { ALARM_SINGLE = 0, ALARM_SEMI = 1, ALARM_AUTO = 2 }
function tmr.now() return T.now % M31 end
function tmr.time() return math.floor(T.now / 1000000) end
function tmr.delay() end
function tmr.wdclr() end
function tmr.create()
  local t = {}
  function t:alarm(ms, mode, cb) T.timers[t] = { due = T.now + ms * 1000, ms = ms, mode = mode, cb = cb }; return true end
  function t:register(ms, mode, cb) self:alarm(ms, mode, cb); T.timers[t].stopped = true end
  function t:start() if T.timers[t] then T.timers[t].stopped = false end return true end
  function t:stop() if T.timers[t] then T.timers[t].stopped = true end return true end
  function t:unregister() T.timers[t] = nil end
  function t:interval(ms) if T.timers[t] then T.timers[t].ms = ms end end
  return t
end
node = { task = { LOW_PRIORITY = 0, MEDIUM_PRIORITY = 1, HIGH_PRIORITY = 2 }, egc = {} }
function node.heap() return 44000 - math.floor(collectgarbage("count") * 1024) end
function node.restart() T.restarted = true end
function node.bootreason() return 2, 6 end
function node.task.post(p, f) T.tasks[#T.tasks + 1] = f end
uart = { PARITY_NONE = 0, STOPBITS_1 = 1 }
function uart.setup() return 115200 end
function uart.write(id, ...)
  local n = select("#", ...)
  for i = 1, n do T.out[#T.out + 1] = tostring((select(i, ...))) end
end
function print(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  T.out[#T.out + 1] = table.concat(parts, "\t") .. "\n"
end
function uart.on(method, n, cb, run) T.uartcb = cb end
file = {}
T.fileOps = 0
local function alive()
  T.fileOps = T.fileOps + 1
  return T.cutAfter == nil or T.fileOps <= T.cutAfter
end
function file.exists(n) return T.files[n] ~= nil end
function file.remove(n) if alive() then T.files[n] = nil end end
function file.rename(a, b) if T.files[b] ~= nil or T.files[a] == nil then return false end if alive() then T.files[b] = T.files[a]; T.files[a] = nil end return true end
function file.getcontents(n) return T.files[n] end
function file.putcontents(n, d) if alive() then T.files[n] = d end return true end
function file.open(n, mode)
  if mode == "r" and T.files[n] == nil then return nil end
  if mode == "w" and alive() then T.files[n] = "" end
  if mode == "a" and T.files[n] == nil and alive() then T.files[n] = "" end
  if T.files[n] == nil then return nil end
  local pos = 1
  local h = {}
  function h:write(d)
    -- a cut in the middle of a write leaves half of it
    if alive() then T.files[n] = T.files[n] .. d
    elseif T.fileOps == T.cutAfter + 1 then T.files[n] = T.files[n] .. string.sub(d, 1, math.floor(#d / 2)) end
    return true
  end
  function h:writeline(d) return h:write(d .. "\n") end
  function h:readline()
    local s = T.files[n]
    if pos > #s then return nil end
    local e = string.find(s, "\n", pos, true) or #s
    local line = string.sub(s, pos, e); pos = e + 1; return line
  end
  function h:read(k) local s = T.files[n]; if pos > #s then return nil end local r = string.sub(s, pos, pos + (k or 1024) - 1); pos = pos + #r; return r end
  function h:seek(whence, offset)
    local base = (whence == "set" and 0) or (whence == "end" and #T.files[n]) or (pos - 1)
    pos = base + (offset or 0) + 1
    return pos - 1
  end
  function h:close() end
  function h:flush() end
  return h
end
-- time spent in the fake's own Lua is not the firmware's
local function unpaused(f)
  return function(...)
    local was = paused
    paused = true
    local a, b, c, d = f(...)
    paused = was
    return a, b, c, d
  end
end
T.unpaused = unpaused
tmr.now = unpaused(tmr.now); tmr.time = unpaused(tmr.time); uart.write = unpaused(uart.write); node.heap = unpaused(node.heap)
node.task.post = unpaused(node.task.post); print = unpaused(print)
for k, f in pairs(file) do if type(f) == "function" then file[k] = unpaused(f) end end
-- bit-banged HX711 on channel 2: clk/data pins from the board
gpio = { OUTPUT = 1, INPUT = 0, INT = 2, PULLUP = 1, FLOAT = 0, HIGH = 1, LOW = 0 }
local bb = { word = 0, bit = 0, ready = false, clkHighAt = -1 }
T.bb = bb
function gpio.mode(p, m) end
local function gpioRead(p)
  if p == T.safePin then return T.safeLow and 0 or 1 end
  if p == T.bbData then
    if not bb.ready then return 1 end
    if bb.bit == 0 then return 0 end
    if bb.bit > 24 then return 1 end
    local shift = 2 ^ (24 - bb.bit)
    return math.floor(bb.word / shift) % 2
  end
  return 1
end
function gpio.read(p)
  paused = true
  local v = gpioRead(p)
  paused = false
  return v
end
function gpio.write(p, v)
  if p ~= T.bbClk then return end
  paused = true
  if v == 1 then
    bb.clkHighAt = counting
    -- the HX711 shifts the next bit out on each rising edge of PD_SCK
    if bb.ready then
      bb.bit = bb.bit + 1
      if bb.bit > 24 then bb.ready = false end
    end
  else
    if bb.clkHighAt >= 0 then
      local high = counting - bb.clkHighAt
      if high > T.maxHigh then T.maxHigh = high end
    end
    bb.clkHighAt = -1
  end
  paused = false
end
function gpio.trig(p, t, cb) T.trigs[p] = (t ~= "none") and cb or nil end
hx711 = {}
function hx711.init() end
function hx711.start(mode, n, cb) T.hx = { n = n, cb = cb, buf = {} } end
function hx711.stop() T.hx = nil end

-- deterministic noise of a few counts (a real HX711 never repeats one value for long)
local seedN = 12345
local function noise()
  seedN = (seedN * 1103515245 + 12345) % 2147483648
  return math.floor(seedN / 65536) % (2 * T.noise + 1) - T.noise
end
local function word24(v)
  v = math.floor(v + 0.5)
  if T.noise > 0 and v < 8388607 and v > -8388608 then v = v + noise() end
  if v > 8388607 then v = 8388607 end
  if v < -8388608 then v = -8388608 end
  if v < 0 then v = v + 16777216 end
  return v
end

-- Advance the clock by us microseconds, delivering conversions and firing timers.
function T.run(us)
  local stop = T.now + us
  while true do
    local nextT = stop + 1
    for ch = 1, 2 do if T.next[ch] < nextT then nextT = T.next[ch] end end
    for _, tm in pairs(T.timers) do if not tm.stopped and tm.due < nextT then nextT = tm.due end end
    if nextT > stop then break end
    T.now = nextT
    if T.next[1] <= T.now then
      T.next[1] = T.now + T.period[1]
      if T.hx and not T.dead1 then
        local w = word24(T.value[1])
        local b = T.hx.buf
        b[#b + 1] = string.char(w % 256, math.floor(w / 256) % 256, math.floor(w / 65536))
        if #b >= T.hx.n then
          T.hx.buf = {}
          local raw32 = T.now % 4294967296
          if raw32 >= 2147483648 then raw32 = raw32 - 4294967296 end
          counted(T.hx.cb, table.concat(b), raw32, 0)
        end
      end
    end
    if T.next[2] <= T.now then
      T.next[2] = T.now + T.period[2]
      if not T.dead2 then
        if bb.ready then T.bbLost = T.bbLost + 1 end
        bb.word = word24(T.value[2]); bb.bit = 0; bb.ready = true
        local cb = T.trigs[T.bbData]
        if cb then counted(cb, 0, T.now % M31, 1) end
      end
    end
    local due = {}
    for t, tm in pairs(T.timers) do
      if not tm.stopped and tm.due <= T.now then due[#due + 1] = t end
    end
    for _, t in ipairs(due) do
      local tm = T.timers[t]
      if tm then
        if tm.mode == 2 then tm.due = tm.due + tm.ms * 1000 else T.timers[t] = nil end
        counted(tm.cb, t)
      end
    end
  end
  T.now = stop
end

function T.send(line)
  local data = line .. "\n"
  while #data > 255 do counted(T.uartcb, string.sub(data, 1, 255)); data = string.sub(data, 256) end
  counted(T.uartcb, data)
end
function T.take()
  local s = table.concat(T.out); T.out = {}; return s
end
`;
