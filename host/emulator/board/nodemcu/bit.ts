/**
 * bit: NodeMCU's bit module on Lua 5.1 works on 32-bit integers and returns them signed
 * (lua_Integer is int32 on the ESP8266): bit.bnot(0) == -1, bit.lshift(1, 31) == -2147483648.
 * Pure arithmetic here (a nibble table per operation), since the emulator's Lua has no bitops.
 */
import { apiPure, apiError } from "../kernel.ts";

const AND: number[] = [];
const OR: number[] = [];
const XOR: number[] = [];
for (let a = 0; a < 16; a++) {
  for (let b = 0; b < 16; b++) {
    let x = 0, y = 0, z = 0;
    for (let i = 0; i < 4; i++) {
      const p = 2 ** i;
      const ba = Math.floor(a / p) % 2;
      const bb = Math.floor(b / p) % 2;
      if (ba === 1 && bb === 1) x += p;
      if (ba === 1 || bb === 1) y += p;
      if (ba !== bb) z += p;
    }
    AND[a * 16 + b] = x;
    OR[a * 16 + b] = y;
    XOR[a * 16 + b] = z;
  }
}

export function u32(x: number): number {
  return Math.floor(x) % 4294967296;
}

export function s32(u: number): number {
  return u >= 2147483648 ? u - 4294967296 : u;
}

function op(table: number[], a: number, b: number): number {
  let r = 0;
  let p = 1;
  for (let i = 0; i < 8; i++) {
    r += table[(a % 16) * 16 + (b % 16)] * p;
    a = Math.floor(a / 16);
    b = Math.floor(b / 16);
    p *= 16;
  }
  return r;
}

function num(v: unknown, i: number, fname: string): number {
  if (type(v) !== "number") return apiError(`bad argument #${i} to '${fname}' (number expected, got ${type(v)})`);
  return u32(v as number);
}

function fold(table: number[], fname: string) {
  return (a: unknown, ...rest: unknown[]) => {
    let r = num(a, 1, fname);
    for (let i = 0; i < rest.length; i++) r = op(table, r, num(rest[i], i + 2, fname));
    return s32(r);
  };
}

export const band = (a: number, b: number): number => s32(op(AND, u32(a), u32(b)));
export const bxor = (a: number, b: number): number => s32(op(XOR, u32(a), u32(b)));

export function createBitModule(): Record<string, unknown> {
  return {
    band: apiPure(fold(AND, "band"), 1),
    bor: apiPure(fold(OR, "bor"), 1),
    bxor: apiPure(fold(XOR, "bxor"), 1),
    bnot: apiPure((a: unknown) => s32(4294967295 - num(a, 1, "bnot")), 1),
    lshift: apiPure((a: unknown, n: unknown) => {
      const k = Math.floor(n as number);
      return k >= 32 ? 0 : s32(u32(num(a, 1, "lshift") * 2 ** k));
    }, 1),
    rshift: apiPure((a: unknown, n: unknown) => {
      const k = Math.floor(n as number);
      return k >= 32 ? 0 : s32(Math.floor(num(a, 1, "rshift") / 2 ** k));
    }, 1),
    arshift: apiPure((a: unknown, n: unknown) => {
      const k = Math.min(31, Math.floor(n as number));
      return Math.floor(s32(num(a, 1, "arshift")) / 2 ** k);
    }, 1),
    bit: apiPure((n: unknown) => s32(u32(2 ** Math.floor(n as number))), 1),
    isset: apiPure((a: unknown, n: unknown) => Math.floor(num(a, 1, "isset") / 2 ** Math.floor(n as number)) % 2 === 1, 1),
    isclear: apiPure((a: unknown, n: unknown) => Math.floor(num(a, 1, "isclear") / 2 ** Math.floor(n as number)) % 2 === 0, 1),
    set: apiPure((a: unknown, ...ns: unknown[]) => {
      let r = num(a, 1, "set");
      for (const n of ns) r = op(OR, r, u32(2 ** Math.floor(n as number)));
      return s32(r);
    }, 1),
    clear: apiPure((a: unknown, ...ns: unknown[]) => {
      let r = num(a, 1, "clear");
      for (const n of ns) r = op(AND, r, 4294967295 - u32(2 ** Math.floor(n as number)));
      return s32(r);
    }, 1),
  };
}
