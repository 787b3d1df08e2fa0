/**
 * `popek difftest FILE.isa [--against PEER] [--runs N] [--seed S] [--length L] [--only encodings|semantics]`:
 * tests a spec against a real implementation (GNU binutils for the encodings, qemu-user for the
 * user-level semantics). Exit 0 when both agree everywhere, 1 on a mismatch, 3 when a peer's tools
 * are not installed.
 */
import { encodingCampaign } from "../../fidelity/encodings.js";
import { findPeer } from "../../fidelity/peers/index.js";
import { formatEncodingReport, formatSemanticReport } from "../../fidelity/report.js";
import { semanticCampaign } from "../../fidelity/semantic.js";
import { missingTools } from "../../fidelity/tools.js";
import { EXIT, loadIsa, type Io } from "../load-isa.js";

export interface DifftestOptions {
  readonly against?: string;
  readonly runs: number;
  readonly seed: number;
  readonly length: number;
  readonly only?: "encodings" | "semantics";
}

export function difftestCommand(specFile: string, options: DifftestOptions, io: Io): number {
  const { isa } = loadIsa(specFile, io, { quietWarnings: true });
  if (!isa) return EXIT.specError;
  const peer = findPeer(isa.name, options.against);
  if (typeof peer === "string") {
    io.err(`popek difftest: ${peer}`);
    return EXIT.specError;
  }
  const missing = missingTools(peer);
  if (missing.length) {
    io.err(`popek difftest: ${peer.name} needs ${missing.join(", ")}, which ${missing.length === 1 ? "is" : "are"} not installed (Debian: qemu-user, binutils-riscv64-unknown-elf, binutils-arm-none-eabi, binutils)`);
    return EXIT.inconclusive;
  }
  io.out(`difftest ${isa.name} against ${peer.name}: ${peer.description}; seed ${options.seed}`);
  let failed = false;
  if (options.only !== "semantics") {
    const r = encodingCampaign(isa, peer, { runs: options.runs, seed: options.seed });
    for (const l of formatEncodingReport(r)) io.out(l);
    failed ||= r.mismatches.length > 0;
  }
  if (options.only !== "encodings") {
    const r = semanticCampaign(isa, peer, { runs: options.runs, seed: options.seed, length: options.length });
    for (const l of formatSemanticReport(peer, r, options.length)) io.out(l);
    failed ||= r.mismatches.length > 0;
  }
  return failed ? EXIT.failed : EXIT.ok;
}
