--[[
The emulated ESP8266's CPU core, in plain Lua (not TypeScript) for exact control: instruction
counts depend on the exact bytecode of this glue (Lua 5.1's compiler is deterministic), and
kernel.ts's GLUE constants are its instruction counts (checked by board.test.ts: "instruction
attribution"). Change a line here and those counts change with it. How it counts, settles and
serves the stand-ins is told in kernel.ts.

The build copies this file next to the transpiled emulator (build/emu/emu_cpu.lua); its lines of
settle()'s for statement are found by their --@ marks, read from this file when it is loaded.
]]
local M = {}

-- HOOK_EVERY + 64: kernel.ts checks it against its HOOK_EVERY.
local SPIN_LIMIT = 192

--- Line numbers of the --@ marks in this file ({loop = n, init = n, ...}).
function M.markedLines()
  local src = debug.getinfo(1, "S").source
  if string.sub(src, 1, 1) ~= "@" then error("emu: CPU core: not loaded from its file (" .. src .. ")", 0) end
  local marks, n = {}, 0
  for line in io.lines(string.sub(src, 2)) do
    n = n + 1
    local mark = string.match(line, "%-%-@(%a+)%s*$")
    if mark ~= nil then marks[mark] = n end
  end
  return marks
end

--- The core, bound to the kernel's state and functions (arguments as named on its first line).
function M.create(...)
  local K, cg, sethook, getlocal, setlocal, getinfo, resume, yield, cocreate, err, xpcall, slow, P, PF, L = ...
  local cur, hpost = P, 0
  local armed, settling, busy = false, false, false
  local spinLimit = 192 -- = SPIN_LIMIT, HOOK_EVERY + 64 (a literal: same bytecode as ever)
  local raw, ovh, fwSeen, settlePost = 0, 0, 0, 0
  local srv, hook, coHook, handlerImpl
  local instrUs, heapEvery = 1, 0
  local PRE, HEAD_T, REST_T, PLAIN, PRO = L.PRE, L.HEAD_T, L.REST_T, L.PLAIN, L.PRO
  local L_INIT, L_LIMIT, L_STEP, L_PREP, L_LOOP = 0, 0, 0, 0, 0
  local function settle()
    if not armed then return end
    settling = true
    for i = --@loop
      1 --@init
      ,
      spinLimit --@limit
      ,
      1 --@step
    do end --@prep
    settling = false
    spinLimit = 192 -- = SPIN_LIMIT, HOOK_EVERY + 64 (a literal: same bytecode as ever)
  end
  hook = function()
    local n = cur - hpost
    local nxt = P
    if settling then
      settling = false
      spinLimit = -1
      local name, idx = getlocal(2, 1)
      setlocal(2, 2, -1)
      local s
      -- settle()'s executed instructions, in order (a TEST and its JMP are one instruction in 5.1):
      -- GETUPVAL TEST LOADBOOL SETUPVAL (4), LOADK init (5), GETUPVAL limit (6), LOADK step (7),
      -- FORPREP (8), FORLOOP #m (8 + m), then LOADBOOL SETUPVAL LOADK SETUPVAL RETURN (5). The loop
      -- index is 0 after FORPREP, +1 per FORLOOP; FORPREP sees the init value 1, as does FORLOOP #2.
      if name == '(for index)' and idx ~= 1 then
        s = 9 + idx
        settlePost = 5
      else
        local line = getinfo(2, 'l').currentline
        if line == L_LOOP then s = 10 settlePost = 5
        else
          if line == L_PREP then s = 8 elseif line == L_STEP then s = 7 elseif line == L_LIMIT then s = 6 else s = 5 end
          settlePost = 14 - s
        end
      end
      ovh = ovh - PRE + HEAD_T + s
      nxt = PF
      K.settles = K.settles + 1
    end
    raw = raw + n
    local fw = raw - ovh
    if fw > fwSeen then
      local now = K.now + (fw - fwSeen) * instrUs
      K.now = now
      fwSeen = fw
      if now - K.wdtFedAt > K.wdtUs then slow() end
    end
    -- The heap at every coarse period, and every 16th settle (bit-banging settles very often);
    -- K.cBytes: what the board's C code holds for the firmware (nodemcu/c-heap.ts).
    heapEvery = heapEvery + 1
    if nxt == P or heapEvery >= 16 then
      heapEvery = 0
      if K.abort ~= nil or cg('count') - K.emuKb + K.cBytes / 1024 / K.heapScale > K.capKb then slow() end
    end
    cur = nxt
    hpost = 1
    return sethook(hook, '', nxt)
  end
  -- Firmware coroutines (rare): counted in whole periods, no settling of their own.
  coHook = function()
    if settling then settling = false spinLimit = -1 setlocal(2, 2, -1) end
    raw = raw + P - 1
    K.now = K.now + (P - 1) * instrUs
    fwSeen = fwSeen + P - 1
    if K.abort ~= nil or K.now - K.wdtFedAt > K.wdtUs then slow() end
    return sethook(coHook, '', P)
  end
  local function serve(f, ...)
    return serve(yield(f(...)))
  end
  local function newServer()
    srv = cocreate(serve)
    sethook(srv) -- a new thread inherits its creator's hook
  end
  newServer()
  local function raise(e)
    busy = false
    newServer()
    return err(e, 0)
  end
  local function after(ok, ...)
    busy = false
    if ok then return ... end
    return raise(...)
  end
  local function mkPlain(f, impl)
    return function(...)
      if busy then return impl(...) end
      return after(resume(srv, f, ...))
    end
  end
  local function mkTimed(f, impl)
    return function(...)
      if busy then return impl(...) end
      settle()
      return after(resume(srv, f, ...))
    end
  end
  local function mkServerSide(impl, costUs, timed)
    if timed then
      return function(...)
        busy = true
        if armed then
          ovh = ovh + settlePost + REST_T + PRE
          settlePost = 0
          K.apiCalls = K.apiCalls + 1
        end
        K.now = K.now + costUs
        return impl(...)
      end
    end
    return function(...)
      busy = true
      if armed then
        ovh = ovh + PLAIN
        K.apiCalls = K.apiCalls + 1
      end
      K.now = K.now + costUs
      return impl(...)
    end
  end
  local F, A1, A2, A3
  local function tramp()
    local f, a, b, c = F, A1, A2, A3
    F, A1, A2, A3 = nil, nil, nil, nil
    return f(a, b, c)
  end
  local function handler(e)
    if armed then
      if K.abort == nil then settle() end
      sethook()
      armed = false
    end
    local tb = handlerImpl(e)
    return tb
  end
  local function finish(...)
    local _ = busy -- padding: TAILCALL finish + GETUPVAL + GETUPVAL settle + CALL = HEAD_T
    settle()
    sethook()
    armed = false
    return ...
  end
  local function run(f, a, b, c)
    if armed then return xpcall(function() return f(a, b, c) end, handlerImpl) end -- nested: already counted
    F, A1, A2, A3 = f, a, b, c
    raw, fwSeen, settlePost, ovh = 0, 0, 0, PRO + PRE
    cur, hpost = P, 0
    armed = true
    sethook(hook, '', P)
    return finish(xpcall(tramp, handler))
  end
  local function counts() return raw, raw - ovh end
  local function setLines(a, b, c, d, e) L_LOOP, L_INIT, L_LIMIT, L_STEP, L_PREP = a, b, c, d, e end
  local function setHandler(h) handlerImpl = h end
  local function attach(co) sethook(co, coHook, '', P) end
  local function setInstrUs(us) instrUs = us end
  return hook, coHook, mkPlain, mkTimed, mkServerSide, run, counts, setLines, setHandler, attach, setInstrUs
end

--- The spin limit written in create() above: HOOK_EVERY + 64 (checked by kernel.ts).
M.SPIN_LIMIT = SPIN_LIMIT

return M
