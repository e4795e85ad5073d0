import { sha2, type Sha2Variant } from "../crypto/sha2.ts";

/**
 * SHA-256 in plain arithmetic (shared/crypto/sha2.ts: 32-bit words as two 16-bit limbs), so it
 * gives the same bytes in Lua 5.1 and in NodeMCU's Lua 5.3 with 32-bit integers and single floats.
 *
 * NOT what the board uses (NodeMCU's C `crypto.hmac` and `crypto.hash` are): it exists so the
 * HMAC lift records (liftmac-hex.ts) can be checked with RFC 4231's vectors in every runtime.
 * Strings are byte strings, one character per byte.
 */
const K_HEX =
  "428a2f9871374491b5c0fbcfe9b5dba53956c25b59f111f1923f82a4ab1c5ed5d807aa9812835b01243185be550c7dc3" +
  "72be5d7480deb1fe9bdc06a7c19bf174e49b69c1efbe47860fc19dc6240ca1cc2de92c6f4a7484aa5cb0a9dc76f988da" +
  "983e5152a831c66db00327c8bf597fc7c6e00bf3d5a7914706ca63511429296727b70a852e1b21384d2c6dfc53380d13" +
  "650a7354766a0abb81c2c92e92722c85a2bfe8a1a81a664bc24b8b70c76c51a3d192e819d6990624f40e3585106aa070" +
  "19a4c1161e376c082748774c34b0bcb5391c0cb34ed8aa4a5b9cca4f682e6ff3748f82ee78a5636f84c878148cc70208" +
  "90befffaa4506cebbef9a3f7c67178f2";
const H0_HEX = "6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19";

const SHA256: Sha2Variant = {
  limbs: 2,
  rounds: 64,
  kHex: K_HEX,
  h0Hex: H0_HEX,
  sigma0: [7, 18, 3],
  sigma1: [17, 19, 10],
  bigSigma0: [2, 13, 22],
  bigSigma1: [6, 11, 25],
  k: [],
  h0: [],
};

/** SHA-256 of a byte string, as a 32-byte string. */
export function sha256(message: string): string {
  return sha2(SHA256, message);
}
