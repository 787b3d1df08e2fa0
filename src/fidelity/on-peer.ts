/**
 * Runs a difftest program on the peer: binutils build the test ELF (prologue that seeds the
 * registers, the program's bytes, an epilogue that writes every observed register and the data area
 * to stdout with Linux's write system call), and qemu-user runs it.
 */
import type { Outcome } from "./on-popek.js";
import type { Image, Peer } from "./peer.js";
import type { Program } from "./program.js";
import { runTool, runToolOk, type Workdir } from "./tools.js";

export type PeerRun = { readonly ok: true; readonly outcome: Outcome } | { readonly ok: false; readonly message: string };

export class PeerSide {
  private readonly script: string;

  constructor(
    readonly peer: Peer,
    private readonly work: Workdir,
  ) {
    this.script = work.write("test.ld", peer.linkerScript);
  }

  /** Builds the ELF for a program laid out as `code`; returns its path. */
  build(program: Program, code: readonly bigint[], name = "test"): string {
    const image: Image = { code, init: program.init, data: program.data };
    this.work.write(`${name}.s`, this.peer.source(image));
    runToolOk(this.peer.as, [`${name}.s`, "-o", `${name}.o`], this.work.path);
    runToolOk(this.peer.ld, ["-T", this.script, `${name}.o`, "-o", `${name}.elf`], this.work.path);
    return `${name}.elf`;
  }

  /** Runs a built ELF under qemu-user and reads back the observed state. */
  run(elf: string, timeoutMs = 10_000): PeerRun {
    const r = runTool(this.peer.qemu, [`./${elf}`], this.work.path, timeoutMs);
    if (r.timedOut) return { ok: false, message: `${this.peer.qemu.cmd} did not finish within ${timeoutMs} ms` };
    const words = this.peer.observed.length;
    const expected = 4 * words + this.peer.layout.dataSize;
    if (r.status !== 0 || r.stdout.length !== expected) {
      const how = r.signal ? `was killed by ${r.signal}` : `exited with ${r.status}`;
      return { ok: false, message: `${this.peer.qemu.cmd} ${how} after writing ${r.stdout.length} of ${expected} bytes${r.stderr ? `: ${r.stderr.trim()}` : ""}` };
    }
    const values = this.peer.observed.map((o, i) => BigInt(r.stdout.readUInt32LE(4 * i)) & o.mask);
    const data = new Uint8Array(r.stdout.subarray(4 * words));
    return { ok: true, outcome: { values, data } };
  }
}
