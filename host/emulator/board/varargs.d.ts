/** Vararg helpers in plain Lua (varargs.lua): no table per call for up to three arguments. */
/** {n = count, ...}: keeps trailing nils. */
export declare function packn(this: void, ...a: unknown[]): unknown;
/** f(t[1], ..., t[n]), nils included. */
export declare function calln(this: void, f: unknown, t: unknown, n: number): unknown;
/** tostring() of each argument, joined by `sep` (print's line). */
export declare function joinArgs(this: void, sep: string, ...a: unknown[]): string;
/** uart.write's items as one string (numbers 0..255 are bytes). */
export declare function uartBytes(this: void, ...a: unknown[]): string;
