/**
 * crypto: hash / fhash / hmac (and new_hash / new_hmac objects) for MD5, SHA1, SHA256 and the
 * other names Node knows. The digests are computed by Node (a synchronous request over the line
 * protocol): the emulator is not the place to re-implement SHA-256.
 */
import { apiPure, apiError, cost } from "../kernel.ts";
import { request, toHex } from "../link.ts";
import { exists, hostPath, sizeOf } from "../flash.ts";

const ALGOS: Record<string, boolean> = { MD5: true, SHA1: true, SHA224: true, SHA256: true, SHA384: true, SHA512: true };

function algo(a: unknown): string {
  const name = type(a) === "string" ? string.upper(a as string) : "";
  if (!ALGOS[name]) return apiError("Unknown hash algorithm");
  return name;
}

function digest(name: string, data: string, key?: string): string {
  cost(50 + data.length * 0.05);
  if (key === undefined) return request("hash", name, toHex(data));
  return request("hmac", name, toHex(key), toHex(data));
}

export function createCryptoModule(): Record<string, unknown> {
  const str = (v: unknown, i: number): string => (type(v) === "string" || type(v) === "number" ? tostring(v) : apiError(`bad argument #${i} (string expected)`));
  const hasher = (name: string, key?: string) => {
    const parts: string[] = [];
    return {
      update: apiPure((_self: unknown, data: unknown) => { parts.push(str(data, 1)); }, 5),
      finalize: apiPure(() => digest(name, parts.join(""), key), 5),
    };
  };
  return {
    hash: apiPure((a: unknown, data: unknown) => digest(algo(a), str(data, 2)), 5),
    fhash: apiPure((a: unknown, fname: unknown) => {
      const name = algo(a);
      const f = str(fname, 2);
      if (!exists(f)) return apiError(`cannot open ${f}`);
      // NodeMCU hashes the file in chunks from C: no Lua heap. Node reads it here, so the board's
      // heap does not see a copy of the file either (a 120 KB image read in would be an OOM).
      cost(50 + sizeOf(f) * 0.25);
      return request("fhash", name, toHex(hostPath(f)));
    }, 5),
    hmac: apiPure((a: unknown, data: unknown, key: unknown) => digest(algo(a), str(data, 2), str(key, 3)), 5),
    new_hash: apiPure((a: unknown) => hasher(algo(a)), 5),
    new_hmac: apiPure((a: unknown, key: unknown) => hasher(algo(a), str(key, 2)), 5),
    toHex: apiPure(() => apiError("crypto.toHex was removed: use encoder.toHex"), 1),
  };
}
