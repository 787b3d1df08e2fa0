// bench/difftest: the fidelity difftest's throughput per bundled ISA against its default peer:
// encoding forms per second, programs per second, and mismatches (which should be 0).
// Run: npm run bench:difftest [-- RUNS [LENGTH]]   (builds first; needs the peers, see .ci/run)
import os from "node:os";
import { checkSpec } from "../dist/src/check/check.js";
import { encodingCampaign } from "../dist/src/fidelity/encodings.js";
import { PEERS } from "../dist/src/fidelity/peers/index.js";
import { semanticCampaign } from "../dist/src/fidelity/semantic.js";
import { missingTools } from "../dist/src/fidelity/tools.js";
import { loadSpec } from "../dist/src/syntax/load.js";

const runs = Number(process.argv[2] ?? 200);
const length = Number(process.argv[3] ?? 16);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}; ${runs} programs of ${length} instructions and ${runs * 5} forms per ISA, seed 1`);
const rows = [["isa", "peer", "forms/s", "enc mismatches", "programs/s", "instr/s", "sem mismatches", "replaced/program"]];
for (const peer of PEERS) {
  const missing = missingTools(peer);
  if (missing.length) {
    console.log(`${peer.isa}: skipped, ${missing.join(", ")} not installed`);
    continue;
  }
  const isa = checkSpec(loadSpec(`isas/${peer.isa}.isa`)).isa;
  const e = encodingCampaign(isa, peer, { runs: runs * 5, seed: 1 });
  const s = semanticCampaign(isa, peer, { runs, seed: 1, length });
  rows.push([
    peer.isa, peer.name, (e.forms / e.seconds).toFixed(0), String(e.mismatches.length),
    (s.programs / s.seconds).toFixed(1), (s.instructions / s.seconds).toFixed(0), String(s.mismatches.length), (s.repairs / Math.max(1, s.programs)).toFixed(1),
  ]);
}
const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i])).join("  "));
