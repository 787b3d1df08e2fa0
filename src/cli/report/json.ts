/**
 * The JSON report: a stable, documented schema (see README "JSON output"). Tri-state answers are
 * true, false or "inconclusive".
 */
import type { Analysis } from "../../analysis/analyze.js";

export const JSON_SCHEMA_VERSION = 1;

export function analysisToJson(a: Analysis): Record<string, unknown> {
  return {
    schema: JSON_SCHEMA_VERSION,
    isa: a.isa.name,
    file: a.isa.file,
    config: a.config.name,
    guestLevel: a.isa.privilege.levels[a.config.guestLevel]!.name,
    instructions: a.instructions.map((v) => ({
      name: v.name,
      privileged: v.privileged,
      controlSensitive: v.controlSensitive,
      behaviorSensitive: v.behaviorSensitive,
      locationSensitive: v.locationSensitive,
      modeSensitive: v.modeSensitive,
      userSensitive: v.userSensitive,
      timingDependent: v.timingDependent,
      class: v.class,
      line: v.instruction.span.line,
      evidence: v.evidence.map((w) => ({
        claim: w.claim,
        summary: w.summary,
        instruction: w.assembly,
        replayed: w.replayed,
        states: w.states,
        differences: w.differences,
      })),
      undecided: v.undecided,
      queries: v.queries,
      ms: Math.round(v.ms * 10) / 10,
    })),
    theorems: {
      vmm: theorem(a.theorems.vmm),
      recursive: theorem(a.theorems.recursive),
      hvm: theorem(a.theorems.hvm),
    },
    expectations: a.expectations.map((e) => ({ expect: e.text, holds: e.holds, actual: e.actual, line: e.span.line, file: e.span.file })),
    internalErrors: a.internalErrors,
    timings: { totalMs: Math.round(a.timings.totalMs), medianInstructionMs: Math.round(median(a.timings.perInstructionMs) * 10) / 10 },
  };
}

function theorem(t: Analysis["theorems"]["vmm"]) {
  return { holds: t.holds, problems: t.problems, inconclusive: t.inconclusive, note: t.note };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
