/**
 * Moving values between JavaScript and a Lua VM as text: JS → Lua literal for arguments,
 * and a JSON encoder (in Lua) for results. Numbers survive exactly: integers as integers,
 * others with 17 significant digits (a single float's exact value too); NaN and infinities as
 * tagged strings.
 */
export function toLuaLiteral(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "(0/0)";
    if (v === Infinity) return "(1/0)";
    if (v === -Infinity) return "(-1/0)";
    if (Object.is(v, -0)) return "(-0.0)";
    // Lua reads "-2147483648" as -(2147483648), a float where integers have 32 bits.
    if (v === -2147483648) return "(-2147483647 - 1)";
    // JS's shortest round-trip repr is parsed back exactly by Lua's strtod.
    return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? v.toFixed(0) : String(v);
  }
  if (typeof v === "string") {
    let out = '"';
    for (const byte of Buffer.from(v, "utf8")) {
      if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
      else if (byte < 0x20 || byte >= 0x7f) out += `\\${byte}`;
      else out += String.fromCharCode(byte);
    }
    return `${out}"`;
  }
  if (Array.isArray(v)) return `{${v.map(toLuaLiteral).join(", ")}}`;
  if (typeof v === "object") {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `[${toLuaLiteral(k)}] = ${toLuaLiteral(x)}`)
      .join(", ")}}`;
  }
  throw new TypeError(`cannot pass a ${typeof v} to Lua`);
}

/** A JSON encoder in Lua 5.1/5.3, closed over the real library before the NodeMCU profile applies. */
export const LUA_JSON_ENCODER = String.raw`
local __fmt, __type, __pairs, __concat, __floor, __sort, __tostring = string.format, type, pairs, table.concat, math.floor, table.sort, tostring
local __mathtype = math.type -- Lua 5.3: integers print with %d (%.0f would pass them through a float)
local __json
__json = function(v)
  local t = __type(v)
  if t == "nil" then return "null" end
  if t == "boolean" then return v and "true" or "false" end
  if t == "number" then
    if __mathtype and __mathtype(v) == "integer" then return __fmt("%d", v) end
    if v ~= v then return '"NaN"' end
    if v == 1/0 then return '"Infinity"' end
    if v == -1/0 then return '"-Infinity"' end
    if v == __floor(v) and v > -2^53 and v < 2^53 then return __fmt("%.0f", v) end
    return __fmt("%.17g", v)
  end
  if t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c) return __fmt("\\u%04x", c:byte()) end) .. '"'
  end
  if t == "table" then
    local n = #v
    if n > 0 or next(v) == nil then
      local parts = {}
      for i = 1, n do parts[i] = __json(v[i]) end
      return "[" .. __concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in __pairs(v) do keys[#keys + 1] = __tostring(k) end
    __sort(keys)
    local parts = {}
    for i, k in ipairs(keys) do
      local val = v[k]
      if val == nil then val = v[tonumber(k)] end
      parts[i] = __json(k) .. ":" .. __json(val)
    end
    return "{" .. __concat(parts, ",") .. "}"
  end
  return __json("<" .. t .. ">")
end
`;

/** Brings a JS value to the form the Lua encoder produces, so the two compare with deep equality. */
export function canonical(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "Infinity";
    if (v === -Infinity) return "-Infinity";
    return v === 0 ? 0 : v;
  }
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined && x !== null);
    if (entries.length === 0) return [];
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, x]) => [k, canonical(x)]));
  }
  return v;
}
