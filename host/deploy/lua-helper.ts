/**
 * The Lua the deploy sends to the bare NodeMCU prompt before uploading: each entry is one input
 * line, well under the prompt's 256-byte line limit (a longer line is dropped silently). Only
 * the receiver stays defined during the upload (three small functions, a few KB of heap); the
 * checks and the swap are single self-contained lines, and CLEANUP_LINE frees it all.
 *   _d(s)          decodes one block payload (blocks.ts format), writes it to the open file _f,
 *                  keeps the last WINDOW (1 KB) bytes in W for matches into earlier output
 *   _r(n, nb, B)   opens n for writing and takes the UART away from the interpreter
 *                  (uart.on("data", B, fn, 0)): every B-byte block is acknowledged with its seq
 *                  byte at once, then decoded; after nb blocks the file is closed, the UART is
 *                  handed back and "_RXOK <bytes>" printed. Any error: "_RXERR <why>", UART back.
 *   hashLine       prints "_H sha256 <hex>" (crypto.fhash) or reads the file back on the board
 *                  and prints "_H adler32 <decimal>"
 *   swapLine       for each name: remove the old file, rename _up_<name> over it; "_SWOK"
 * The receiver uses only file, uart and string/math of Lua 5.1 (no bit, no encoder: the blocks
 * are binary, since the interpreter does not see them).
 */
import { WINDOW } from "./blocks.ts";

export const TEMP_PREFIX = "_up_";

export const HELPER_LINES: string[] = [
  `function _d(s) local i,n,t=1,#s,{} while i<=n do local c=s:byte(i) i=i+1 local l,m=(c-c%16)/16,c%16 if l==15 then l=l+s:byte(i) i=i+1 end t[#t+1]=s:sub(i,i+l-1) i=i+l`,
  ` if m>0 then if m==15 then m=m+s:byte(i) i=i+1 end local p=#W-s:byte(i)-256*s:byte(i+1)+1 t[#t+1]=W:sub(p,p+m+1) i=i+2 end end`,
  ` local b=table.concat(t) _c=_c+#b _f:write(b) W=#b<${WINDOW} and (W..b):sub(-${WINDOW}) or b:sub(-${WINDOW}) end`,
  `function _x(e) uart.on("data") if _f then _f:close() end _f=nil W=nil print("_RXERR "..tostring(e)) end`,
  `function _r(n,nb,B) _f=file.open(n,"w") if not _f then return _x("cannot open "..n) end _c,_n,W=0,nb,"" uart.on("data",B,function(d) uart.write(0,d:sub(1,1))`,
  ` local ok,e=pcall(_d,d:sub(3,2+d:byte(2))) if not ok then return _x(e) end _n=_n-1 if _n==0 then _f:close() _f=nil W=nil uart.on("data") print("_RXOK ".._c) end end,0) end`,
];
/** After the app handed the UART back its modules may still sit in the heap: unload what came from flash. */
export const FREE_APP_LINE = `for n in pairs(package.loaded) do if file.exists(n..".lua") or file.exists(n..".lc") then package.loaded[n]=nil end end collectgarbage()`;
export const HELPER_CHECK_LINE = `print("_OK",_d~=nil and _r~=nil and _x~=nil)`;
export const CLEANUP_LINE = `_d,_x,_r,_f,W,_c,_n=nil collectgarbage()`;

/** One line that prints the file's hash: SHA-256 by crypto.fhash, or an on-board read-back Adler-32. */
export function hashLine(name: string, algo: "sha256" | "adler32"): string {
  if (algo === "sha256") {
    return `print("_H sha256 "..(crypto.fhash("sha256","${name}"):gsub(".",function(c) return string.format("%02x",c:byte()) end)))`;
  }
  return `local f,a,b=file.open("${name}","r"),1,0 while f do local s=f:read(256) if not s then f:close() break end ` +
    `for i=1,#s do a=(a+s:byte(i))%65521 b=(b+a)%65521 end end print(f and "_H adler32 "..(b*65536+a) or "_H none")`;
}

/** Lines that swap the uploaded files in (each under the prompt's limit). */
export function swapLines(names: string[]): string[] {
  const out: string[] = [];
  const line = (ns: string[]) => `for _,n in ipairs({${ns.map((x) => `"${x}"`).join(",")}}) do file.remove(n) if not file.rename("${TEMP_PREFIX}"..n,n) then print("_S".."WERR "..n) end end print("_S".."WOK")`; // split so the echo never matches
  let batch: string[] = [];
  for (const n of names) {
    if (batch.length > 0 && line([...batch, n]).length > 240) {
      out.push(line(batch));
      batch = [];
    }
    batch.push(n);
  }
  if (batch.length > 0) out.push(line(batch));
  return out;
}

/** Modules probed at the prompt, in order; which ones the rackcell firmware cannot do without. */
export const PROBED_MODULES = ["uart", "tmr", "node", "file", "gpio", "hx711", "struct", "bit", "crypto", "encoder"] as const;
export type ModuleName = (typeof PROBED_MODULES)[number];
export const PROBE_LINE = `print("_M",${PROBED_MODULES.map((m) => `not not ${m}`).join(",")},node and node.heap and node.heap() or -1)`;

export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const x of data) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return b * 65536 + a;
}

/** Hint for a module the board lacks. */
export function missingModuleAdvice(m: string): string {
  const build = "build a NodeMCU firmware that includes it (the cloud builder at nodemcu-build.com: tick it in the module list; " +
    "or in nodemcu-firmware set `#define LUA_USE_MODULES_" + m.toUpperCase() + "` in app/include/user_modules.h and `make`), then flash it with esptool.py write_flash 0x00000 <image>.bin";
  if (m === "hx711") return `hx711 is not in NodeMCU's default module set: ${build}. (Boards whose channels all use reader "gpio-bitbang" do not need it.)`;
  return `${m}: ${build}`;
}
