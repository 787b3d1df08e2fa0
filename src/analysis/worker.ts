/**
 * An analysis worker (see pool.ts): keeps the ISAs it is sent and classifies one instruction at a
 * time with its own Z3, exactly as analyze() does in the main thread.
 */
import { parentPort } from "node:worker_threads";
import type * as IR from "../ir/ir.js";
import { classifyInstruction } from "./analyze.js";
import type { FromWorker, ToWorker } from "./pool.js";
import { stateSets, type StateSets } from "./state-sets.js";
import { useCompiledZ3 } from "./z3.js";

const isas = new Map<number, { readonly isa: IR.Isa; readonly sets: StateSets }>();
/** The classification running now (or done): the next one starts after it. */
let turn: Promise<void> = Promise.resolve();

// The pool sends Z3's compiled WebAssembly first thing (or null); Z3 starts from it.
let compiledZ3!: (module: WebAssembly.Module | null) => void;
useCompiledZ3(new Promise((resolve) => (compiledZ3 = resolve)));

parentPort!.on("message", (m: ToWorker) => {
  if (m.kind === "z3") {
    compiledZ3(m.module);
    return;
  }
  if (m.kind === "isa") {
    isas.set(m.id, { isa: m.isa, sets: stateSets(m.isa) });
    return;
  }
  // One at a time, in the order sent (the pool may send the next before this one is answered).
  turn = turn.then(async () => {
    let reply: FromWorker;
    try {
      const { isa, sets } = isas.get(m.isaId)!;
      const { instruction: _, ...verdict } = await classifyInstruction(isa, m.config, sets, m.options, isa.instructions[m.instruction]!);
      reply = { kind: "verdict", verdict };
    } catch (e) {
      reply = { kind: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    parentPort!.postMessage(reply);
  });
});
