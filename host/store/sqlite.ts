import { createRequire } from "node:module";

/**
 * The few better-sqlite3 calls the store uses, typed here (the package ships no types).
 * Loaded with require: it is a CommonJS native module, kept external by the bundle.
 */
export interface Statement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

export interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
  readonly open: boolean;
}

type DatabaseConstructor = new (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => Database;

const require = createRequire(import.meta.url);
export const openDatabase = (file: string, options?: { readonly?: boolean; fileMustExist?: boolean }): Database =>
  new (require("better-sqlite3") as DatabaseConstructor)(file, options);
