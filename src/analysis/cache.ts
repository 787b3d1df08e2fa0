/**
 * A disk cache of instruction verdicts, so that re-checking an edited spec re-solves only what the
 * edit can change. The key is a hash of everything a verdict depends on: the instruction's IR (its
 * encodings and semantics), every function it can reach (translate included), the machine's state
 * layout, memory, privilege levels, causes and time (what the tick writes), the overlap groups it is
 * in, the guest configuration, the analyzer's options (not the solver timeout: a decided verdict holds
 * whatever time the solver had) and popek's analyzer version. Source positions
 * are left out, so moving text around does not invalidate anything. Inconclusive verdicts and
 * verdicts with internal errors are never stored.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bodyFootprint } from "../ir/footprint.js";
import type * as IR from "../ir/ir.js";
import type { InstructionVerdict } from "./classify.js";

/** Bump when the analyzer's definitions or encodings of them change. */
export const ANALYZER_VERSION = "2026-12-03.3";

export class AnalysisCache {
  /**
   * keepUndecided: also store and answer with inconclusive verdicts and ones with internal errors.
   * Only for a cache that lives as long as one test run (test/setup/analyse-bundled.ts), where it
   * means "the verdict this run's code gave", so that the tests that read it do not each solve the
   * same timeouts again; a cache that outlives the run must solve them again (the default).
   */
  constructor(readonly dir: string, readonly options: { readonly keepUndecided?: boolean } = {}) {}

  get(key: string, instruction: IR.Instruction): InstructionVerdict | null {
    let v: InstructionVerdict;
    try {
      const stored = JSON.parse(readFileSync(join(this.dir, `${key}.json`), "utf8"), revive) as Omit<InstructionVerdict, "instruction">;
      v = { ...stored, instruction, ms: 0, queries: 0, units: 0, phases: { search: 0, solve: 0, witness: 0, build: 0 } };
    } catch {
      return null;
    }
    return this.options.keepUndecided || isCacheable(v) ? v : null;
  }

  /** Whether any verdict is stored (a run after the first, which may need no solver at all). */
  holdsVerdicts(): boolean {
    try {
      return readdirSync(this.dir).some((f) => f.endsWith(".json"));
    } catch {
      return false;
    }
  }

  set(key: string, v: InstructionVerdict): void {
    if (!this.options.keepUndecided && !isCacheable(v)) return;
    const { instruction: _, ...rest } = v;
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(rest, replace));
    renameSync(tmp, join(this.dir, `${key}.json`));
  }
}

/** Whether a verdict is stored by default: inconclusive ones and ones with internal errors are solved again. */
export function isCacheable(v: InstructionVerdict): boolean {
  return [v.privileged, v.controlSensitive, v.behaviorSensitive, v.userSensitive, v.timingDependent, v.vmmProblem]
    .every((x) => x !== "inconclusive") && v.internalErrors.length === 0;
}

/** The cache key of one instruction's verdict under a configuration and options. */
export function verdictKey(isa: IR.Isa, config: IR.GuestConfig, instr: IR.Instruction, options: object): string {
  const fp = bodyFootprint(isa, instr.body);
  const reachable = reachableFunctions(isa, instr);
  return digest({
    version: ANALYZER_VERSION,
    options,
    instruction: { name: instr.name, encodings: instr.encodings, operands: [...instr.operands], body: instr.body },
    functions: [...reachable].sort((a, b) => a - b).map((f) => functionDigest(isa.functions[f]!)),
    machine: machineDigest(isa),
    overlaps: isa.overlaps.filter((g) => g.includes(instr.id)).map((g) => g.map((id) => isa.instructions[id]!.encodings)),
    config: { guestLevel: config.guestLevel, requires: config.requires },
    footprint: { reads: [...fp.reads], writes: [...fp.writes] },
  }).slice(0, 32);
}

function digest(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts, hashReplace)).digest("hex");
}

/**
 * The digest of what every instruction's key shares - state layout, banked registers, memory,
 * privilege levels, causes, time, and the encodings of every instruction (the decoder's choices and
 * fetches depend on them all) - made once per ISA: made for each key, it was most of the time
 * before the first instruction was analysed (1.6 s for the library).
 */
function machineDigest(isa: IR.Isa): string {
  let d = machineDigests.get(isa);
  if (d === undefined) {
    d = digest({
      state: isa.state.map((e) => ({ ...e, fields: [...e.fields] })),
      banked: isa.banked,
      memory: isa.memory,
      vaddrWidth: isa.vaddrWidth,
      privilege: isa.privilege,
      causes: isa.causes,
      undefinedCause: isa.undefinedCause,
      tick: isa.tick === null ? null : isa.functions[isa.tick],
      encodings: isa.instructions.map((i) => i.encodings),
    });
    machineDigests.set(isa, d);
  }
  return d;
}

const machineDigests = new WeakMap<IR.Isa, string>();

/** A function's digest, made once. */
function functionDigest(f: IR.Function): string {
  let d = functionDigests.get(f);
  if (d === undefined) functionDigests.set(f, (d = digest(f)));
  return d;
}

const functionDigests = new WeakMap<IR.Function, string>();

function reachableFunctions(isa: IR.Isa, instr: IR.Instruction): Set<number> {
  const out = new Set<number>();
  if (isa.translate !== null) out.add(isa.translate);
  const visit = (v: unknown): void => {
    if (!v || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(visit);
    const o = v as Record<string, unknown>;
    if (o.kind === "call" && typeof o.fn === "number" && !out.has(o.fn)) {
      out.add(o.fn);
      visit(isa.functions[o.fn]!.body);
    }
    for (const k in o) if (k !== "span") visit(o[k]);
  };
  visit(instr.body);
  if (isa.translate !== null) visit(isa.functions[isa.translate]!.body);
  return out;
}

/** JSON for hashing: bigints as text, maps as entries, source positions dropped. */
function hashReplace(key: string, value: unknown): unknown {
  if (key === "span") return undefined;
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Map) return [...value];
  return value;
}

function replace(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? { $bigint: value.toString() } : value;
}

function revive(_key: string, value: unknown): unknown {
  if (value && typeof value === "object" && "$bigint" in (value as object)) return BigInt((value as { $bigint: string }).$bigint);
  return value;
}
