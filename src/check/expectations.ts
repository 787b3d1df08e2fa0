/**
 * Guest configurations and `expect` statements. Expectations are resolved here and checked by the
 * analyzer; they are assertions about its result and never an input to it.
 */
import type * as A from "../syntax/ast.js";
import * as IR from "../ir/ir.js";
import type { Globals } from "./globals.js";
import { BodyLowerer } from "./lower.js";

export function checkConfigs(g: Globals, decls: readonly (A.Decl & { kind: "config" })[], privilege: IR.Privilege): IR.GuestConfig[] {
  const out: IR.GuestConfig[] = [];
  for (const c of decls) {
    if (out.some((o) => o.name === c.name.name)) {
      g.diagnostics.error("E0202", `configuration '${c.name.name}' is defined twice`, c.name.span);
      continue;
    }
    const level = privilege.levels.findIndex((l) => l.name === c.guestLevel.name);
    if (c.guestLevel.name === "<missing>") {
      g.diagnostics.error("E0601", `configuration '${c.name.name}' needs 'guest LEVEL;' naming the level a deprivileged guest runs at`, c.span);
      continue;
    }
    if (level < 0) {
      g.diagnostics.error("E0601", `'${c.guestLevel.name}' is not a privilege level (levels: ${privilege.levels.map((l) => l.name).join(", ")})`, c.guestLevel.span);
      continue;
    }
    if (level === 0) {
      g.diagnostics.error("E0601", `a deprivileged guest cannot run at '${c.guestLevel.name}', the most privileged level`, c.guestLevel.span);
      continue;
    }
    const lowerer = new BodyLowerer(g, { stateAccess: true, nextPc: false, bareReturn: false });
    const requires = c.requires.map((r) => lowerer.condition(r)).filter((x): x is IR.Expr => x !== null);
    out.push({ name: c.name.name, title: c.title, guestLevel: level, requires, span: c.span });
  }
  if (decls.length === 0) {
    // Without a declared configuration, a guest runs at the least privileged level with no requirements.
    out.push({ name: "default", title: "guest at the least privileged level", guestLevel: privilege.levels.length - 1, requires: [], span: privilege.span });
  }
  return out;
}

export function checkExpectations(
  g: Globals,
  decls: readonly (A.Decl & { kind: "expect" })[],
  instructions: readonly IR.Instruction[],
  configs: readonly IR.GuestConfig[],
): IR.Expectation[] {
  const d = g.diagnostics;
  const out: IR.Expectation[] = [];
  const byName = new Map(instructions.map((i) => [i.name, i.id]));
  for (const e of decls) {
    let config: number | null = null;
    if (e.config) {
      config = configs.findIndex((c) => c.name === e.config!.name);
      if (config < 0) {
        d.error("E0602", `unknown configuration '${e.config.name}' (configurations: ${configs.map((c) => c.name).join(", ")}); declare it with 'config ${e.config.name} { guest LEVEL; }'`, e.config.span);
        continue;
      }
    }
    const theorem = (IR.THEOREMS as readonly string[]).includes(e.target.name) ? (e.target.name as IR.Theorem) : null;
    if (theorem) {
      if (e.property.name !== "holds" && e.property.name !== "fails") {
        d.error("E0602", `a theorem is expected to 'hold' or 'fail': write 'expect ${theorem} holds;' or 'expect ${theorem} fails [A, B];'`, e.property.span);
        continue;
      }
      if (e.negated) {
        d.error("E0602", "write 'fails' instead of 'not holds'", e.span);
        continue;
      }
      if (e.problems && e.property.name === "holds") {
        d.error("E0602", "a theorem that holds has no problem instructions to list", e.span);
        continue;
      }
      const problems: number[] = [];
      for (const p of e.problems ?? []) {
        const id = byName.get(p.name);
        if (id === undefined) d.error("E0602", `'${p.name}' is not an instruction`, p.span);
        else problems.push(id);
      }
      out.push({ kind: "theorem", theorem, holds: e.property.name === "holds", problems: e.problems ? problems : null, config, span: e.span });
      continue;
    }
    const instr = byName.get(e.target.name);
    if (instr === undefined) {
      d.error("E0602", `'${e.target.name}' is neither an instruction nor a theorem (vmm, recursive, hvm)`, e.target.span);
      continue;
    }
    if (!(IR.INSTRUCTION_PROPERTIES as readonly string[]).includes(e.property.name)) {
      d.error("E0602", `'${e.property.name}' is not a property of an instruction (one of: ${IR.INSTRUCTION_PROPERTIES.join(", ")})`, e.property.span);
      continue;
    }
    if (e.problems) {
      d.error("E0602", "only a theorem expectation lists problem instructions", e.span);
      continue;
    }
    out.push({ kind: "instruction", instruction: instr, property: e.property.name as IR.InstructionProperty, negated: e.negated, config, span: e.span });
  }
  return out;
}
