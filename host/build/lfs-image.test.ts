import { describe, expect, it } from "vitest";
import { leanSource } from "./lfs-image.ts";
import { runLuaProgram } from "../testing/lua-vm.ts";

describe("LFS stand-in image: lean sources", () => {
  it("drops leading indentation, keeps every line (so line numbers) and what the code does", () => {
    const src = "local M = {}\nfunction M.f(x)\n    if x > 1 then\n        return x * 2 -- twice\n    end\n    return 'a  b'\nend\nreturn M\n";
    const lean = leanSource(Buffer.from(src)).toString();
    expect(lean).toBe("local M = {}\nfunction M.f(x)\nif x > 1 then\nreturn x * 2 -- twice\nend\nreturn 'a  b'\nend\nreturn M\n");
    expect(lean.split("\n").length).toBe(src.split("\n").length);
    const run = (code: string) => runLuaProgram("5.1", `local M = assert(loadstring(${JSON.stringify(code)}))() io.write(M.f(3) .. M.f(1))`);
    expect(run(lean)).toBe(run(src));
  });

  it("leaves a module with a long bracket or a backslash-continued string as it is", () => {
    for (const src of ["local s = [[\n  keep\n]]\n", "local s = [==[\n  keep\n]==]\n", "local s = 'a\\\n  b'\n"]) {
      expect(leanSource(Buffer.from(src)).toString()).toBe(src);
    }
  });
});
