/**
 * Calendar days for the lifter's record, as plain "YYYY-MM-DD" strings in the lifter's local time
 * (the caller converts instants with localDay). Weeks are ISO weeks (Monday to Sunday), "YYYY-Www".
 */
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 for "YYYY-MM-DD" (proleptic Gregorian); throws on anything else. */
export function dayNumber(day: string): number {
  const m = DAY_RE.exec(day);
  if (m === null) throw new Error(`not a calendar day (YYYY-MM-DD): "${day}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new Error(`no such day: "${day}"`);
  }
  return Math.round(t / 86400000);
}

export function dayFromNumber(n: number): string {
  return new Date(n * 86400000).toISOString().slice(0, 10);
}

/** The local calendar day of an instant, for a UTC offset in minutes (east positive, e.g. +60 for CET). */
export function localDay(isoInstant: string, utcOffsetMin: number): string {
  const t = Date.parse(isoInstant);
  if (!Number.isFinite(t)) throw new Error(`not a time: "${isoInstant}"`);
  return new Date(t + utcOffsetMin * 60000).toISOString().slice(0, 10);
}

/** The calendar day of `at` on this machine's clock and time zone. */
export function dayOnThisMachine(at: Date = new Date()): string {
  return localDay(at.toISOString(), -at.getTimezoneOffset());
}

/** ISO week key "YYYY-Www" (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(day: string): string {
  const n = dayNumber(day);
  const wd = (((n + 3) % 7) + 7) % 7; // 1970-01-01 was a Thursday: Monday = 0
  const thursday = n - wd + 3;
  const year = new Date(thursday * 86400000).getUTCFullYear();
  const jan1 = dayNumber(`${year}-01-01`);
  const week = Math.floor((thursday - jan1) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** Monday of the ISO week containing `day`. */
export function weekMonday(day: string): string {
  const n = dayNumber(day);
  const wd = (((n + 3) % 7) + 7) % 7;
  return dayFromNumber(n - wd);
}
