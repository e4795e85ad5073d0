import { liftId } from "../../shared/board/liftrecord.ts";
import { joinMac, joinSignature } from "../../shared/board/signedlift-parse.ts";
import { splitFields } from "../../shared/protocol/frame.ts";

/**
 * Pairs the board's signature records (G, then two Y for Ed25519 or one Y `h=` for HMAC-SHA256:
 * firmware/signer.ts) with the E record they
 * sign, as they arrive (about 12 s after the lift). Keeps the last few E bodies only.
 */
export interface SignedLiftRecords { liftRecord: string; signatureRecord: string; boardLiftId: number; boardBoot: number }

const KEEP = 16;

export class SignatureAssembler {
  private readonly lifts = new Map<number, string>();
  private g = "";
  private r = "";

  /** An E body as received. */
  lift(body: string): void {
    const id = liftId(body);
    if (id <= 0) return;
    this.lifts.set(id, body);
    if (this.lifts.size > KEEP) this.lifts.delete(this.lifts.keys().next().value as number);
  }

  /** A G or Y body; the complete signed lift once its last record came. */
  take(body: string): SignedLiftRecords | undefined {
    if (body.startsWith("G,")) {
      this.g = body;
      this.r = "";
      return undefined;
    }
    if (body.startsWith("Y,") && splitFields(body)[2]?.startsWith("r=")) {
      this.r = body;
      return undefined;
    }
    const mac = body.startsWith("Y,") && splitFields(body)[2]?.startsWith("h=");
    const sig = this.g === "" ? "" : mac ? joinMac(this.g, body) : this.r !== "" ? joinSignature(this.g, this.r, body) : "";
    this.g = "";
    this.r = "";
    if (sig === "") return undefined;
    const id = Number(splitFields(sig)[1].slice(5));
    const liftRecord = this.lifts.get(id);
    if (liftRecord === undefined) return undefined;
    const boot = Number(splitFields(liftRecord).find((f) => f.startsWith("boot="))?.slice(5));
    return { liftRecord, signatureRecord: sig, boardLiftId: id, boardBoot: boot };
  }
}
