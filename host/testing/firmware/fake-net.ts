/**
 * A small fake of NodeMCU's `wifi` (station) and `mqtt` for the firmware's unit tests on the fake
 * NodeMCU (fake-nodemcu.ts must come first: it defines FAKE). Not the emulator's stand-ins (those
 * open real TCP connections to a real broker): this one records what the firmware does with the
 * documented API — config, last will, connects, every publish with its qos and retain — and lets a
 * test drive WiFi and the broker: up, down, a refused connect, acknowledgements held back.
 * Callbacks come as NodeMCU's do, later (as tasks), never inside the call that caused them.
 * `publish` raises "not connected" when the client is not connected, as app/modules/mqtt.c does,
 * and the publish callback is one per client (the last one given).
 */
export const FAKE_NET_LUA = String.raw`
local T = FAKE
local NET = { publishes = {}, subs = {}, connects = 0, ip = false, brokerUp = true, refuse = nil, holdAcks = false,
  unacked = {}, maxUnacked = 0, events = {}, closes = 0 }
T.net = NET
local function later(f) T.tasks[#T.tasks + 1] = f end
wifi = { STATION = 1, STA_IDLE = 0, STA_CONNECTING = 1, STA_WRONGPWD = 2, STA_APNOTFOUND = 3, STA_FAIL = 4, STA_GOTIP = 5,
  sta = {}, eventmon = { STA_CONNECTED = 0, STA_DISCONNECTED = 1, STA_GOT_IP = 3,
  reason = { BEACON_TIMEOUT = 200, NO_AP_FOUND = 201, AUTH_FAIL = 202, HANDSHAKE_TIMEOUT = 204 } } }
function wifi.setmode(m) NET.mode = m; return m end
function wifi.sta.config(cfg) NET.staConfig = cfg; return true end
function wifi.sta.connect() end
function wifi.sta.disconnect() end
function wifi.sta.status() return NET.ip and 5 or 1 end
function wifi.sta.getip() if NET.ip then return "10.0.0.7", "255.255.255.0", "10.0.0.1" end return nil end
function wifi.eventmon.register(ev, cb) NET.events[ev] = cb end
wifi.setmode = T.unpaused(wifi.setmode); wifi.sta.config = T.unpaused(wifi.sta.config)
mqtt = { CONN_FAIL_SERVER_NOT_FOUND = -5, CONN_FAIL_NOT_A_CONNACK_MSG = -4, CONN_FAIL_DNS = -3, CONN_FAIL_TIMEOUT_RECEIVING = -2,
  CONN_FAIL_TIMEOUT_SENDING = -1, CONNACK_REFUSED_BAD_USER_OR_PASS = 4, CONNACK_REFUSED_NOT_AUTHORIZED = 5 }
function mqtt.Client(id, keepalive, user, pass, clean, maxlen)
  local c = { connected = false, cbs = {} }
  NET.client = c
  NET.clients = (NET.clients or 0) + 1
  NET.clientArgs = { id = id, keepalive = keepalive, user = user, pass = pass, clean = clean, maxlen = maxlen }
  function c:lwt(topic, msg, qos, retain) NET.will = { topic = topic, msg = msg, qos = qos, retain = retain } end
  function c:on(ev, f) c.cbs[ev] = f end
  function c:connect(host, port, secure, ok, fail)
    if c.connected then error("already connected") end
    NET.connects = NET.connects + 1
    NET.host, NET.port, NET.secure = host, port, secure
    later(function()
      if NET.ip and NET.brokerUp and NET.refuse == nil then c.connected = true; ok(c)
      else fail(c, NET.refuse or -5) end
    end)
    return true
  end
  function c:publish(topic, payload, qos, retain, cb)
    if not c.connected then error("not connected") end
    if cb then c.pubcb = cb end
    NET.publishes[#NET.publishes + 1] = { topic = topic, payload = payload, qos = qos, retain = retain, t = T.now }
    NET.unacked[#NET.unacked + 1] = true
    if #NET.unacked > NET.maxUnacked then NET.maxUnacked = #NET.unacked end
    if not NET.holdAcks then later(function() T.netAck(1) end) end
    return true
  end
  function c:subscribe(topic, qos, cb) NET.subs[topic] = qos; return true end
  -- the fake's own Lua is not the firmware's: not counted as its instructions
  local publish = T.unpaused(c.publish)
  c.publish = function(self, ...) if not self.connected then error("not connected") end return publish(self, ...) end
  c.connect = T.unpaused(c.connect)
  -- as mqtt.c: close() queues a DISCONNECT; with the link dead the connection stays until its TCP gives up (T.oldLinkDies)
  function c:close() NET.closes = NET.closes + 1; if NET.ip then c.connected = false end; NET.unacked = {}; return true end
  return c
end
local counted = T.counted
-- n held acknowledgements arrive (PUBACK for QoS 1, written for QoS 0)
function T.netAck(n)
  for _ = 1, n do
    if #NET.unacked == 0 or not NET.client.connected then return end
    table.remove(NET.unacked, 1)
    if NET.client.pubcb then NET.client.pubcb(NET.client) end
  end
end
function T.wifiUp() NET.ip = true; counted(NET.events[3], { IP = "10.0.0.7" }) end
function T.wifiDown(reason) NET.ip = false; counted(NET.events[1], { reason = reason or 201 }) end
-- the broker goes away: the connection breaks and the client says offline
function T.brokerDown()
  NET.brokerUp = false
  local c = NET.client
  if c.connected then c.connected = false; NET.unacked = {}; if c.cbs.offline then counted(c.cbs.offline, c) end end
end
function T.brokerUp() NET.brokerUp = true end
-- a connection closed on a dead link ends at last (its TCP gives up): the client's offline callback
function T.oldLinkDies()
  local c = NET.client
  if c and c.connected then c.connected = false; if c.cbs.offline then counted(c.cbs.offline, c) end end
end
-- a message from the broker on a subscribed topic
function T.mqttIn(topic, data) counted(NET.client.cbs.message, NET.client, topic, data) end
function T.ackLater(n) counted(function() T.netAck(n) end) end
`;
