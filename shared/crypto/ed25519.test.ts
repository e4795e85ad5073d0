import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BASE_POINT } from "./edwards25519.ts";
import { keyStart, keyStep, signStart, signStep, type Sha512 } from "./ed25519.ts";
import { feFromBytes, feLoad, feMul, feNew, feSqr, feSub, feToBytes } from "./field25519.ts";
import { bytesFromLimbs, limbsFromBytes, scMulAddUnreduced, scReduce } from "./scalar25519.ts";
import { sha512 } from "./sha512.ts";

/** Checks against node:crypto (OpenSSL's Ed25519 and SHA-512) and BigInt arithmetic. */
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

function boardSign(seed: Buffer, message: Buffer): { publicKey: Buffer; signature: Buffer; slices: number } {
  const key = keyStart(bin(seed), nodeSha512);
  while (!keyStep(key)) { /* next slice */ }
  const st = signStart(bin(seed), key.publicKey, bin(message), nodeSha512);
  let slices = 1;
  while (!signStep(st)) slices++;
  return { publicKey: buf(key.publicKey), signature: buf(st.signature), slices };
}

describe("Ed25519 signing in slices", () => {
  it("agrees with node:crypto on random keys and messages, and node:crypto verifies it", () => {
    for (let t = 0; t < 12; t++) {
      const seed = randomBytes(32);
      const message = randomBytes(t * 37);
      const mine = boardSign(seed, message);
      const key = nodeKey(seed);
      const pub = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32);
      expect(mine.publicKey.toString("hex")).toBe(pub.toString("hex"));
      expect(mine.signature.toString("hex")).toBe(sign(null, message, key).toString("hex"));
      expect(verify(null, message, createPublicKey(key), mine.signature)).toBe(true);
    }
  });

  it("needs hundreds of slices (the work is really split), not one", () => {
    const { slices } = boardSign(randomBytes(32), Buffer.from("lift"));
    // ≈ 255 doublings × 9 units + ≈ 128 additions × 10 (three constant loads) + ≈ 265 for the
    // inversion, 4 units a slice, and a slice stops when less than a multiplication is left
    expect(slices).toBeGreaterThan(700);
    expect(slices).toBeLessThan(1400);
  });

  it("refuses a seed or public key of the wrong length", () => {
    expect(() => keyStep(keyStart("short", nodeSha512))).toThrow();
    expect(() => signStart(bin(randomBytes(32)), "x", "m", nodeSha512)).toThrow();
  });
});

describe("field and scalar arithmetic against BigInt", () => {
  it("the base point's constants are RFC 8032's B and d", () => {
    const pow = (b: bigint, e: bigint) => { let r = 1n; b %= P; while (e > 0n) { if (e & 1n) r = (r * b) % P; b = (b * b) % P; e >>= 1n; } return r; };
    const d = (((-121665n * pow(121666n, P - 2n)) % P) + P) % P;
    const x = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
    const y = (4n * pow(5n, P - 2n)) % P;
    const value = (at: number) => {
      const limbs = feNew();
      feLoad(limbs, BASE_POINT, at);
      return limbs.reduce((acc, l, i) => acc + BigInt(l) * 2n ** BigInt(16 * i), 0n);
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
      const a = scReduce(limbsFromBytes(bin(randomBytes(64)), 0, 64));
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
