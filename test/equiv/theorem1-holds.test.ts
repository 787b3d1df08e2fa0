/** s370 and riscv32, where Theorem 1 holds: trap-and-emulate alone makes random guests equivalent, and VMs side by side stay isolated. */
import { afterAll, expect, test } from "vitest";
import { shutdownZ3 } from "../../src/analysis/z3.js";
import { checkIsolation } from "../../src/equiv/isolation.js";
import { campaignOf, equivIsaEnabled, run } from "./helpers.js";

afterAll(async () => {
  await shutdownZ3();
});

// The analysis of the whole spec comes first, which takes minutes on a loaded machine.
for (const isa of ["s370", "riscv32"]) {
  test.skipIf(!equivIsaEnabled(isa))(`${isa}, trap mode: 300 random guests end as on the bare machine; 10 pairs of VMs stay isolated`, async () => {
    const { analysis, campaign } = await campaignOf(`${isa}.isa`, "trap", { seed: 1974, length: 32 });
    expect(analysis.theorems.vmm.holds).toBe(true);
    const r = run(campaign, 300);
    expect(r.divergences.map((d) => d.index)).toEqual([]);
    expect(r.programs).toBe(300);
    for (let t = 0; t < 10; t++) {
      const c = checkIsolation(campaign.target, campaign.layout, [campaign.caseAt(500 + 2 * t), campaign.caseAt(501 + 2 * t)], t);
      expect(c.kind === "violated" ? c.problems : [], `trial ${t}`).toEqual([]);
    }
  }, 900_000);
}
