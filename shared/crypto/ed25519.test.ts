import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BASE_POINT } from "./edwards25519.ts";
import { INT32_ARITHMETIC } from "./arithmetic.ts";
import { type Arithmetic, keyStart, keyStep, signStart, signStep, type Sha512 } from "./ed25519.ts";
import * as field16 from "./field25519.ts";
import * as scalar16 from "./scalar25519.ts";
import { floorDiv } from "./limbs12.ts";
import { sha512 } from "./sha512.ts";

/**
 * Checks against node:crypto (OpenSSL's Ed25519 and SHA-512) and BigInt arithmetic, for both
 * arithmetics: 16-bit limbs (doubles: JavaScript, the board's Lua 5.1) and 12-bit limbs (32-bit
 * numbers: NodeMCU's Lua 5.3, run here in doubles; the Lua 5.3 run is the vectors').
 */
const ARITHMETICS: [string, Arithmetic | undefined][] = [
  ["16-bit limbs", undefined],
  ["12-bit limbs (32-bit numbers)", INT32_ARITHMETIC],
];
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const bin = (b: Buffer) => b.toString("latin1");
const buf = (s: string) => Buffer.from(s, "latin1");
const le = (b: Buffer) => BigInt(`0x${Buffer.from(b).reverse().toString("hex") || "0"}`);
const nodeSha512: Sha512 = (s) => bin(createHash("sha512").update(buf(s)).digest());

function nodeKey(seed: Buffer) {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: "der", type: "pkcs8" });
}

function boardSign(seed: Buffer, message: Buffer, arith?: Arithmetic): { publicKey: Buffer; signature: Buffer; slices: number } {
  const key = keyStart(bin(seed), nodeSha512, arith);
  while (!keyStep(key)) { /* next slice */ }
  const st = signStart(bin(seed), key.publicKey, bin(message), nodeSha512, arith);
  let slices = 1;
  while (!signStep(st)) slices++;
  return { publicKey: buf(key.publicKey), signature: buf(st.signature), slices };
}

describe.each(ARITHMETICS)("Ed25519 signing in slices, %s", (_name, arith) => {
  it("agrees with node:crypto on random keys and messages, and node:crypto verifies it", () => {
    for (let t = 0; t < 12; t++) {
      const seed = randomBytes(32);
      const message = randomBytes(t * 37);
      const mine = boardSign(seed, message, arith);
      const key = nodeKey(seed);
      const pub = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32);
      expect(mine.publicKey.toString("hex")).toBe(pub.toString("hex"));
      expect(mine.signature.toString("hex")).toBe(sign(null, message, key).toString("hex"));
      expect(verify(null, message, createPublicKey(key), mine.signature)).toBe(true);
    }
  });

  it("needs hundreds of slices (the work is really split), not one", () => {
    const { slices } = boardSign(randomBytes(32), Buffer.from("lift"), arith);
    // ≈ 255 doublings × 9 units + ≈ 128 additions × 10 (three constant loads) + ≈ 265 for the
    // inversion, 4 units a slice, and a slice stops when less than a multiplication is left
    expect(slices).toBeGreaterThan(700);
    expect(slices).toBeLessThan(1400);
  });

  it("refuses a seed or public key of the wrong length", () => {
    expect(() => keyStep(keyStart("short", nodeSha512, arith))).toThrow();
    expect(() => signStart(bin(randomBytes(32)), "x", "m", nodeSha512, arith)).toThrow();
  });
});

describe.each(ARITHMETICS)("field and scalar arithmetic against BigInt, %s", (_name, arith) => {
  const { feFromBytes, feLoad, feMul, feNew, feSqr, feSub, feToBytes } = arith === undefined ? field16 : arith.field;
  const { bytesFromLimbs, limbsFromBytes, scMulAddUnreduced, scReduce } = arith === undefined ? scalar16 : arith.scalar;

  it("the base point's constants are RFC 8032's B and d", () => {
    const pow = (b: bigint, e: bigint) => { let r = 1n; b %= P; while (e > 0n) { if (e & 1n) r = (r * b) % P; b = (b * b) % P; e >>= 1n; } return r; };
    const d = (((-121665n * pow(121666n, P - 2n)) % P) + P) % P;
    const x = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
    const y = (4n * pow(5n, P - 2n)) % P;
    const value = (at: number) => {
      const limbs = feNew();
      feLoad(limbs, BASE_POINT, at);
      return le(buf(feToBytes(limbs)));
    };
    expect((((-x * x + y * y - 1n - d * x * x * y * y) % P) + P) % P).toBe(0n);
    expect(BASE_POINT.length).toBe(3 * 48);
    expect(value(0)).toBe((y - x + P) % P);
    expect(value(48)).toBe((y + x) % P);
    expect(value(96)).toBe((2n * d * x * y) % P);
  });

  it("multiplies, squares and encodes modulo 2^255 − 19, with negative limbs after a subtraction", () => {
    for (let t = 0; t < 200; t++) {
      const a = randomBytes(32);
      const b = randomBytes(32);
      if (t === 0) a.fill(0xff);
      const fa = feFromBytes(bin(a), 0);
      const fb = feFromBytes(bin(b), 0);
      const m = feNew();
      feMul(m, fa, fb);
      expect(le(buf(feToBytes(m)))).toBe((le(a) * le(b)) % P);
      feSqr(m, fa);
      expect(le(buf(feToBytes(m)))).toBe((le(a) * le(a)) % P);
      const d = feNew();
      feSub(d, fa, fb);
      feMul(m, d, fb);
      expect(le(buf(feToBytes(m)))).toBe((((le(a) - le(b)) * le(b)) % P + P) % P);
    }
  });

  it("a chain of sums, differences, negations and products stays exact (and, 12-bit, inside the limb ranges that keep products below 2^31)", () => {
    const { feAdd, feNeg } = arith === undefined ? field16 : arith.field;
    const x = feFromBytes(bin(Buffer.alloc(32, 0xff)), 0);
    const y = feFromBytes(bin(randomBytes(32)), 0);
    let vx = le(Buffer.alloc(32, 0xff)) % P;
    let vy = le(buf(feToBytes(y)));
    for (let t = 0; t < 400; t++) {
      const op = t % 4;
      if (op === 0) { feAdd(x, x, y); vx = (vx + vy) % P; }
      else if (op === 1) { feSub(y, y, x); vy = (((vy - vx) % P) + P) % P; }
      else if (op === 2) { feNeg(x, x); vx = (P - vx) % P; }
      else { feMul(y, x, y); vy = (vx * vy) % P; }
      if (op === 3) { feSqr(x, x); vx = (vx * vx) % P; }
      expect(le(buf(feToBytes(x)))).toBe(vx);
      expect(le(buf(feToBytes(y)))).toBe(vy);
      if (arith !== undefined) {
        for (const fe of [x, y]) {
          expect(fe.length).toBe(22);
          fe.forEach((limb, i) => {
            expect(Number.isInteger(limb)).toBe(true);
            expect(limb).toBeGreaterThanOrEqual(0);
            expect(limb).toBeLessThan(i === 0 ? 4096 + 200 : i === 21 ? 8 : 4096);
          });
        }
      }
    }
  });

  it("encodes p, p + 1 and 2^256 − 1 in canonical form", () => {
    for (const v of [P, P + 1n, 2n ** 256n - 1n, 0n]) {
      const bytes = Buffer.from(v.toString(16).padStart(64, "0"), "hex").reverse();
      expect(le(buf(feToBytes(feFromBytes(bin(bytes), 0))))).toBe(v % P);
    }
  });

  it("reduces 512-bit values and computes r + k·a modulo L", () => {
    const edge = [Buffer.alloc(64, 0xff), Buffer.alloc(64, 0), Buffer.from(L.toString(16).padStart(128, "0"), "hex").reverse()];
    for (let t = 0; t < 300; t++) {
      const x = t < edge.length ? edge[t] : randomBytes(64);
      expect(le(buf(bytesFromLimbs(scReduce(limbsFromBytes(bin(x), 0, 64)))))).toBe(le(x) % L);
      const r = scReduce(limbsFromBytes(bin(randomBytes(64)), 0, 64));
      const k = scReduce(limbsFromBytes(bin(randomBytes(64)), 0, 64));
      // the secret scalar as signStep gives it: 32 bytes, not reduced (t = 0: all ones)
      const a = limbsFromBytes(bin(t === 0 ? Buffer.alloc(32, 0xff) : randomBytes(32)), 0, 32);
      const n = (s: number[]) => le(buf(bytesFromLimbs(s)));
      expect(n(scReduce(scMulAddUnreduced(r, k, a)))).toBe((n(r) + n(k) * n(a)) % L);
    }
  });
});

describe("pure SHA-512 (vector helper) against node:crypto", () => {
  it("agrees on every length around the block and padding boundaries", () => {
    for (const len of [0, 1, 55, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 500]) {
      const m = randomBytes(len);
      expect(buf(sha512(bin(m))).toString("hex")).toBe(createHash("sha512").update(m).digest("hex"));
    }
  });
});

describe("floorDiv (12-bit limbs' carries)", () => {
  it("floors negative and positive integers like Math.floor", () => {
    for (const x of [0, 1, 4095, 4096, 4097, -1, -4095, -4096, -4097, 2 ** 30 + 12345, -(2 ** 30) - 7, 2 ** 31 - 1]) {
      expect(floorDiv(x, 4096), String(x)).toBe(Math.floor(x / 4096));
      expect(floorDiv(x, 8), String(x)).toBe(Math.floor(x / 8));
    }
  });
});
