/** Reading assembly as a reader does: what counts as the same text, and what does not. */
import { describe, expect, it } from "vitest";
import { canonical, sameAssembly, stripObjdump } from "../../src/fidelity/syntax-compare.js";

describe("sameAssembly", () => {
  it("ignores case and spacing, and compares numbers by value modulo 2^32", () => {
    expect(sameAssembly("addi a0, a0, -1", "addi\ta0,a0,-1")).toBe(true);
    expect(sameAssembly("add eax, -5", "add    eax,0xfffffffb")).toBe(true);
    expect(sameAssembly("mov eax, DWORD PTR [ebp-8]", "mov eax,dword ptr [ebp-0x8]")).toBe(true);
  });

  it("tells different operands apart", () => {
    expect(sameAssembly("addi a0, a0, -1", "addi a0, a0, 1")).toBe(false);
    expect(sameAssembly("mov eax, DWORD PTR [ebp-8]", "mov eax, DWORD PTR [ebp+8]")).toBe(false);
    expect(sameAssembly("sub a0, a1, a2", "sub a0, a2, a1")).toBe(false);
  });

  it("keeps an operator sign apart from a number's own", () => {
    expect(canonical("[ebx+4]")).not.toBe(canonical("[ebx 4]"));
  });
});

describe("stripObjdump", () => {
  it("drops comments and turns symbol annotations into addresses", () => {
    expect(stripObjdump("beq zero,zero,10 <.text+0x10>")).toBe("beq zero,zero,0x10");
    expect(stripObjdump("mov r0, #-16777216\t@ 0xff000000")).toBe("mov r0, #-16777216");
  });
});
