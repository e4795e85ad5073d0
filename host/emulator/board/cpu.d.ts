/** The CPU core (cpu.lua): plain Lua whose bytecode the kernel's instruction accounting knows. */
/** @noSelf */
export declare function create(this: void, ...args: unknown[]): LuaMultiReturn<unknown[]>;
/** Line numbers of the --@ marks in cpu.lua. */
export declare function markedLines(this: void): { loop: number; init: number; limit: number; step: number; prep: number };
/** settle()'s spin limit written in cpu.lua: HOOK_EVERY + 64. */
export declare const SPIN_LIMIT: number;
