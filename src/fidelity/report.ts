/**
 * The difftest's report as text: counts, and for each mismatch everything needed to reproduce and
 * read it (the program, both states, the first differing element).
 */
import type { EncodingReport, Tally } from "./encodings.js";
import { formatOutcome } from "./compare.js";
import type { Peer } from "./peer.js";
import type { SemanticReport } from "./semantic.js";

function tally(title: string, t: Tally): string[] {
  if (t.size === 0) return [];
  const total = [...t.values()].reduce((n, v) => n + v.count, 0);
  return [`  ${title}: ${total} (${[...t].map(([k, v]) => `${k} ${v.count}`).join(", ")})`, ...[...t].slice(0, 3).map(([k, v]) => `    e.g. ${k}: ${v.example}`)];
}

export function formatEncodingReport(r: EncodingReport): string[] {
  const lines = [`encodings: ${r.forms} forms, ${r.mismatches.length} mismatch${r.mismatches.length === 1 ? "" : "es"} (${r.seconds.toFixed(1)} s)`];
  for (const m of r.mismatches.slice(0, 20)) lines.push(`  MISMATCH ${m.instruction} [${m.word}] '${m.popekText}': ${m.problem}`);
  if (r.mismatches.length > 20) lines.push(`  ... and ${r.mismatches.length - 20} more`);
  lines.push(...tally("GNU as chose another encoding, objdump reads both alike (or popek's bytes exactly as popek's text)", r.alternative));
  lines.push(...tally("GNU as refuses popek's text, objdump reads popek's bytes exactly as it", r.refused));
  lines.push(...tally("objdump spells differently, bytes agree both ways", r.notation));
  return lines;
}

export function formatSemanticReport(peer: Peer, r: SemanticReport, length: number): string[] {
  const rate = r.programs / Math.max(r.seconds, 1e-9);
  const lines = [
    `semantics: ${r.programs} programs of ${length} instructions, ${r.mismatches.length} mismatch${r.mismatches.length === 1 ? "" : "es"} (${r.seconds.toFixed(1)} s, ${rate.toFixed(1)} programs/s; ${r.unusable} seeds gave no usable program, ${r.repairs} instructions replaced)`,
  ];
  const never = [...r.executed].filter(([, n]) => n === 0).map(([k]) => k);
  if (never.length) lines.push(`  never ran (trap in user mode, or excluded): ${never.join(" ")}`);
  for (const m of r.mismatches) {
    lines.push(`  MISMATCH (seed ${m.seed}), shrunk to ${m.program.slots.length} instruction(s):`);
    lines.push(...m.listing.map((l) => `    ${l}`));
    if (m.peerError) lines.push(`    the peer produced no state: ${m.peerError}`);
    else if (m.differences.length) {
      const d = m.differences[0]!;
      lines.push(`    first difference: ${d.element}: popek 0x${d.popek.toString(16)}, ${peer.name} 0x${d.peer.toString(16)}${m.differences.length > 1 ? ` (${m.differences.length - 1} more)` : ""}`);
      const bytes = m.differences.filter((x) => x.element.startsWith("data+"));
      if (bytes.length) lines.push(`    data area: ${bytes.slice(0, 16).map((x) => `${x.element} popek 0x${x.popek.toString(16)} peer 0x${x.peer.toString(16)}`).join("; ")}${bytes.length > 16 ? " ..." : ""}`);
    }
    lines.push("    popek's final state:", ...formatOutcome(peer, m.popek).split("\n").map((l) => `      ${l}`));
    if (m.peer) lines.push(`    ${peer.name}'s final state:`, ...formatOutcome(peer, m.peer).split("\n").map((l) => `      ${l}`));
  }
  return lines;
}
