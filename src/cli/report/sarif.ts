/**
 * SARIF 2.1.0 for GitHub code scanning: one result per problem instruction of a failed theorem and
 * per failed or inconclusive expectation, located at the instruction's (or expectation's) definition.
 */
import type { Analysis } from "../../analysis/analyze.js";
import type { Span } from "../../syntax/source.js";
import { undecidedLine } from "./text.js";

const RULES = [
  { id: "POPEK-VMM", name: "SensitiveNotPrivileged", text: "A sensitive instruction is not privileged: Theorem 1 (trap-and-emulate VMM) fails." },
  { id: "POPEK-RECURSIVE", name: "TimingDependency", text: "An unprivileged instruction reads time-varying state: Theorem 2 (recursive virtualization) fails." },
  { id: "POPEK-HVM", name: "UserSensitiveNotPrivileged", text: "A user-sensitive instruction is not privileged: Theorem 3 (hybrid VMM) fails." },
  { id: "POPEK-EXPECT", name: "ExpectationFailed", text: "An expect statement in the spec does not hold." },
  { id: "POPEK-INCONCLUSIVE", name: "Inconclusive", text: "The solver could not decide a question within its limits (--rlimit resource units, --timeout)." },
];

function location(span: Span) {
  return {
    physicalLocation: {
      artifactLocation: { uri: span.file.replace(/\\/g, "/") },
      region: { startLine: span.line, startColumn: span.column },
    },
  };
}

export function analysesToSarif(analyses: readonly Analysis[], version: string): Record<string, unknown> {
  const results: Record<string, unknown>[] = [];
  for (const a of analyses) {
    const spanOf = (name: string) => a.isa.instructions.find((i) => i.name === name)!.span;
    const theorems: [keyof Analysis["theorems"], string, string][] = [
      ["vmm", "POPEK-VMM", "Theorem 1"],
      ["recursive", "POPEK-RECURSIVE", "Theorem 2"],
      ["hvm", "POPEK-HVM", "Theorem 3"],
    ];
    for (const [key, ruleId, label] of theorems) {
      const t = a.theorems[key];
      // Theorem 2 repeats Theorem 1's problems when Theorem 1 fails; report only its own.
      if (key === "recursive" && a.theorems.vmm.holds === false) continue;
      for (const p of t.problems) {
        const v = a.instructions.find((x) => x.name === p);
        const why = v?.evidence.find((w) => w.claim === "problem" || w.claim === "timing-dependent" || w.claim.startsWith("user-"))?.summary ?? t.note;
        results.push({
          ruleId,
          level: "error",
          message: { text: `${p}: ${why} (${label} fails under configuration '${a.config.name}')` },
          locations: [location(spanOf(p))],
        });
      }
      for (const p of t.inconclusive) {
        const open = a.instructions.find((v) => v.name === p)?.undecided ?? [];
        const why = open.length ? `: ${undecidedLine(open)}` : " (solver timeout or unknown)";
        results.push({ ruleId: "POPEK-INCONCLUSIVE", level: "warning", message: { text: `${p}: ${label} could not be decided${why}` }, locations: [location(spanOf(p))] });
      }
    }
    for (const e of a.expectations) {
      if (e.holds === true) continue;
      results.push({
        ruleId: e.holds === false ? "POPEK-EXPECT" : "POPEK-INCONCLUSIVE",
        level: e.holds === false ? "error" : "warning",
        message: { text: `${e.text}: ${e.actual} (configuration '${a.config.name}')` },
        locations: [location(e.span)],
      });
    }
  }
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "popek",
            version,
            rules: RULES.map((r) => ({ id: r.id, name: r.name, shortDescription: { text: r.text } })),
          },
        },
        results,
      },
    ],
  };
}
