/**
 * Maximum permissible errors of a class III weighing instrument (OIML R76), in units of the
 * verification interval e: 0.5 e up to 500 e, 1 e up to 2000 e, 1.5 e above; doubled in service.
 */
export function maxPermissibleErrorE(loadInE: number, inService: boolean): number {
  const load = Math.abs(loadInE);
  let mpe = 1.5;
  if (load <= 500) mpe = 0.5;
  else if (load <= 2000) mpe = 1;
  return inService ? mpe * 2 : mpe;
}

/** Number of intervals a class III instrument may have, given its capacity: 100 e to 10000 e. */
export function intervalCountIsValid(capacity: number, intervalE: number): boolean {
  if (!(intervalE > 0)) return false;
  const n = capacity / intervalE;
  return n >= 100 && n <= 10000;
}
