/**
 * CI's difftest: every bundled ISA against its default peer (GNU binutils and qemu-user), seeded and
 * bounded; the full campaigns are `npm run campaign:difftest`.
 */
import { describe, expect, it } from "vitest";
import { PEERS } from "../../src/fidelity/peers/index.js";
import { formatEncodingReport, formatSemanticReport } from "../../src/fidelity/report.js";
import { bundled, CI, ciEncodings, ciSemantics, peerAvailable } from "./ci.js";

for (const peer of PEERS) {
  describe.skipIf(!peerAvailable(peer))(`${peer.isa} against ${peer.name}`, () => {
    const isa = bundled(peer.isa);

    it(`encodings: ${CI.forms} random forms agree both ways`, () => {
      const r = ciEncodings(isa, peer);
      expect(r.mismatches, formatEncodingReport(r).join("\n")).toEqual([]);
      expect(r.forms).toBe(CI.forms);
    });

    it(`semantics: ${CI.programs} random user programs end in the same state`, () => {
      const r = ciSemantics(isa, peer);
      expect(r.mismatches.length, formatSemanticReport(peer, r, CI.length).join("\n")).toBe(0);
      // The generator found usable programs, and they ran most of the user-level instructions.
      expect(r.programs).toBeGreaterThan(CI.programs * 0.9);
      const ran = [...r.executed.values()].filter((n) => n > 0).length;
      expect(ran).toBeGreaterThan(r.executed.size / 2);
    });
  });
}
