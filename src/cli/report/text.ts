/**
 * The text report: a classification table, one line per theorem, the problem instructions with
 * their witness in one line each, and failed expectations as located messages.
 */
import type { Analysis } from "../../analysis/analyze.js";
import type { InstructionVerdict, Undecided, Witness } from "../../analysis/classify.js";
import type { Tri } from "../../analysis/tri.js";
import { median } from "./json.js";

const yn = (t: Tri) => (t === true ? "yes" : t === false ? "no" : "?");

function behavior(v: InstructionVerdict): string {
  if (v.behaviorSensitive === "inconclusive") return "?";
  const kinds = [v.modeSensitive === true ? "mode" : "", v.locationSensitive === true ? "location" : ""].filter(Boolean);
  return kinds.length ? kinds.join("+") : "no";
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ").trimEnd());
}

function theoremLine(label: string, t: Analysis["theorems"]["vmm"]): string {
  if (t.holds === true) return `${label} holds: ${t.note}`;
  if (t.holds === false) return `${label} FAILS: ${t.problems.join(", ")} (${t.note})`;
  return `${label} INCONCLUSIVE: could not decide ${t.inconclusive.join(", ")}`;
}

/** What to raise for the questions left open: the option of each limit they ran into. */
function raiseHint(undecided: readonly Undecided[]): string {
  const limits = new Set(undecided.map((u) => u.limit));
  const options = [limits.has("resources") ? "--rlimit" : "", limits.has("time") ? "--timeout" : ""].filter(Boolean);
  return options.length ? `; a larger ${options.join(" or ")} may decide ${undecided.length === 1 ? "it" : "them"}` : "";
}

/** One instruction's open questions, grouped by the limit they ran into, in a line. */
export function undecidedLine(undecided: readonly Undecided[]): string {
  const why = (u: Undecided) => (u.limit === "resources" ? "out of resource units" : u.limit === "time" ? "out of time" : u.reason);
  const groups = new Map<string, string[]>();
  for (const u of undecided) groups.set(why(u), [...(groups.get(why(u)) ?? []), u.question]);
  return `undecided ${[...groups].map(([reason, questions]) => `(${reason}): ${questions.join("; ")}`).join("; ")}${raiseHint(undecided)}`;
}

export function witnessLine(w: Witness): string {
  const diffs = w.differences.filter((d) => !d.what.startsWith("initial")).slice(0, 4).map((d) => `${d.what} ${d.a}→${d.b}`);
  const states = w.states.map((s) => `${s.label}@${s.level}`).join(", ");
  return `${w.summary}; e.g. '${w.assembly}' from ${states}${diffs.length ? `: ${diffs.join(", ")}` : ""}${w.replayed ? " (replayed)" : " (DID NOT REPLAY)"}`;
}

export function renderText(a: Analysis, options: { showTable: boolean }): string {
  const out: string[] = [];
  const level = a.isa.privilege.levels[a.config.guestLevel]!.name;
  out.push(`${a.isa.file}: ${a.isa.name}, configuration '${a.config.name}' (guest at ${level}${a.config.requires.length ? `, ${a.config.requires.length} requirement(s)` : ""})`);
  if (options.showTable) {
    const rows = [["instruction", "privileged", "control", "behavior", "user-sensitive", "class"]];
    for (const v of a.instructions) rows.push([v.name, yn(v.privileged), yn(v.controlSensitive), behavior(v), yn(v.userSensitive), v.class]);
    out.push(...table(rows).map((l) => `  ${l}`));
  }
  out.push(`  ${theoremLine("Theorem 1 (VMM)", a.theorems.vmm)}`);
  out.push(`  ${theoremLine("Theorem 2 (recursive VMM)", a.theorems.recursive)}`);
  out.push(`  ${theoremLine("Theorem 3 (hybrid VMM)", a.theorems.hvm)}`);
  const problems = new Set([...a.theorems.vmm.problems, ...a.theorems.hvm.problems, ...(a.theorems.vmm.holds === false ? [] : a.theorems.recursive.problems)]);
  for (const name of problems) {
    const v = a.instructions.find((x) => x.name === name)!;
    const w = v.evidence.find((e) => e.claim === "problem") ?? v.evidence.find((e) => e.claim === "timing-dependent") ?? v.evidence.find((e) => e.claim.startsWith("user-")) ?? v.evidence[0];
    if (w) out.push(`    ${name}: ${witnessLine(w)}`);
  }
  const open = new Set([a.theorems.vmm, a.theorems.recursive, a.theorems.hvm].flatMap((t) => (t.holds === "inconclusive" ? t.inconclusive : [])));
  for (const name of open) {
    const v = a.instructions.find((x) => x.name === name)!;
    if (v.undecided.length) out.push(`    ${name}: ${undecidedLine(v.undecided)}`);
  }
  const failed = a.expectations.filter((e) => e.holds !== true);
  const held = a.expectations.length - failed.length;
  if (a.expectations.length) out.push(`  expectations: ${held} of ${a.expectations.length} hold`);
  for (const e of failed) {
    out.push(`${e.span.file}:${e.span.line}:${e.span.column}: ${e.holds === false ? "error A0801" : "warning A0802"}: ${e.text} ${e.holds === false ? "does not hold" : "is inconclusive"}: ${e.actual}`);
  }
  for (const err of a.internalErrors) out.push(`internal error: ${err}`);
  out.push(`  analysed ${a.instructions.length} instructions in ${(a.timings.totalMs / 1000).toFixed(2)} s (median ${median(a.timings.perInstructionMs).toFixed(1)} ms per instruction)`);
  return out.join("\n");
}

/** `--explain INSTR`: every witness in full, readable by a student. */
export function renderExplain(a: Analysis, name: string): string {
  const v = a.instructions.find((x) => x.name === name);
  if (!v) return `no instruction '${name}' (instructions: ${a.instructions.map((x) => x.name).join(", ")})`;
  const out: string[] = [];
  out.push(`${v.name}${v.instruction.title ? ` — ${v.instruction.title}` : ""} (${v.instruction.span.file}:${v.instruction.span.line}), configuration '${a.config.name}'`);
  out.push(`  privileged: ${yn(v.privileged)}   control sensitive: ${yn(v.controlSensitive)}   mode sensitive: ${yn(v.modeSensitive)}   location sensitive: ${yn(v.locationSensitive)}`);
  out.push(`  user sensitive: ${yn(v.userSensitive)}   timing dependent: ${yn(v.timingDependent)}   class: ${v.class}`);
  if (v.undecided.length) out.push(`  ${undecidedLine(v.undecided)}`);
  if (v.evidence.length === 0) {
    out.push("  No witnesses: every answer above that is 'no' is a solver proof (unsat) over all states and operands.");
  }
  for (const w of v.evidence) {
    out.push("");
    out.push(`  ${w.claim}: ${w.summary}`);
    out.push(`    instruction: ${w.assembly}${w.replayed ? "   (replayed on the interpreter: confirmed)" : "   (DID NOT REPLAY: a bug in popek)"}`);
    for (const s of w.states) {
      const regs = Object.entries(s.registers).filter(([, val]) => val !== "0x0");
      out.push(`    state ${s.label}: level ${s.level}, pc ${s.pc}; nonzero registers: ${regs.map(([k, val]) => `${k}=${val}`).join(" ") || "(none)"}`);
      if (s.memory.length) out.push(`      memory: ${s.memory.slice(0, 12).map((m) => `[${m.address}]=${m.value}`).join(" ")}${s.memory.length > 12 ? " …" : ""}`);
    }
    const relational = w.states.length === 2 ? w.claim !== "problem" : w.states.length === 3;
    for (const d of w.differences) {
      out.push(relational ? `    ${d.what}: ${d.a} in ${w.states[0]!.label}, ${d.b} in ${w.states[1]!.label}` : `    ${d.what}: ${d.a || "(nothing)"} → ${d.b}`);
    }
  }
  return out.join("\n");
}
