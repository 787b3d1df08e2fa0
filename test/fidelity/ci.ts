/**
 * The bounded, seeded difftest CI runs for every bundled ISA, shared by the test that runs it on the
 * bundled specs and the test that proves it catches broken ones.
 */
import { join } from "node:path";
import { expect } from "vitest";
import { checkSpec } from "../../src/check/check.js";
import type * as IR from "../../src/ir/ir.js";
import { encodingCampaign, type EncodingReport } from "../../src/fidelity/encodings.js";
import type { Peer } from "../../src/fidelity/peer.js";
import { semanticCampaign, type SemanticReport } from "../../src/fidelity/semantic.js";
import { missingTools } from "../../src/fidelity/tools.js";
import { loadSpec, type ReadFile } from "../../src/syntax/load.js";
import { readFileSync } from "node:fs";

export const ISAS = join(import.meta.dirname, "../../isas");

/** CI's campaign: a few hundred forms and programs per ISA, short programs, a fixed seed. */
export const CI = { forms: 600, programs: 120, length: 10, seed: 20260101 } as const;

/** Loads a bundled spec, optionally with its main file's text rewritten (a deliberately broken spec). */
export function bundled(name: string, rewrite?: (text: string) => string): IR.Isa {
  const main = join(ISAS, `${name}.isa`);
  const read: ReadFile = (p) => {
    const text = readFileSync(p, "utf8");
    return rewrite && p.endsWith(`${name}.isa`) && !p.includes(`/${name}/`) ? rewrite(text) : text;
  };
  const checked = checkSpec(loadSpec(main, read));
  const errors = checked.diagnostics.items.filter((d) => d.severity === "error");
  expect(errors.map((d) => d.message)).toEqual([]);
  return checked.isa!;
}

/**
 * Whether the peer's tools are here. In CI (CI=true, where .ci/run installs them) a missing tool is
 * an error, so a broken install cannot pass as a skipped test.
 */
export function peerAvailable(peer: Peer): boolean {
  const missing = missingTools(peer);
  if (missing.length && process.env.CI) throw new Error(`CI must install ${missing.join(", ")} (see .ci/run)`);
  return missing.length === 0;
}

export function ciEncodings(isa: IR.Isa, peer: Peer): EncodingReport {
  return encodingCampaign(isa, peer, { runs: CI.forms, seed: CI.seed });
}

export function ciSemantics(isa: IR.Isa, peer: Peer, maxMismatches = 1): SemanticReport {
  return semanticCampaign(isa, peer, { runs: CI.programs, seed: CI.seed, length: CI.length, maxMismatches });
}
