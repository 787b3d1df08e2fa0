/**
 * An analysis worker (see pool.ts): keeps the ISAs it is sent and classifies one instruction at a
 * time with its own Z3, exactly as analyze() does in the main thread.
 */
import { parentPort } from "node:worker_threads";
import type * as IR from "../ir/ir.js";
import { classifyInstruction } from "./analyze.js";
import type { FromWorker, ToWorker } from "./pool.js";
import { stateSets, type StateSets } from "./state-sets.js";

const isas = new Map<number, { readonly isa: IR.Isa; readonly sets: StateSets }>();

parentPort!.on("message", (m: ToWorker) => {
  if (m.kind === "isa") {
    isas.set(m.id, { isa: m.isa, sets: stateSets(m.isa) });
    return;
  }
  void (async () => {
    let reply: FromWorker;
    try {
      const { isa, sets } = isas.get(m.isaId)!;
      const { instruction: _, ...verdict } = await classifyInstruction(isa, m.config, sets, m.options, isa.instructions[m.instruction]!);
      reply = { kind: "verdict", verdict };
    } catch (e) {
      reply = { kind: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    parentPort!.postMessage(reply);
  })();
});
