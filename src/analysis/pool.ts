/**
 * A pool of worker threads that classify instructions in parallel, each with its own Z3 (Z3's
 * WASM build answers one check at a time per instance, so parallel checks need separate
 * instances). The main thread hands each idle worker the next instruction, and a busy one the one
 * after (PREFETCH); a worker is sent an ISA once and keeps it. Workers are unreferenced while idle,
 * so a forgotten pool does not keep the process alive; `closeWorkerPool` ends them.
 *
 * Running from the TypeScript sources (the tests), a worker cannot load .ts modules by itself: it
 * is started with a module loader that transpiles them (TypeScript's transpileModule, as
 * src/vmm/load.ts does for generated VMMs). From the build (dist/), it loads the .js directly.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type * as IR from "../ir/ir.js";
import type { ClassifyOptions, InstructionVerdict } from "./classify.js";
import { compileZ3 } from "./z3.js";

/** What a worker sends back: the verdict without the IR instruction (the main thread has it). */
export type WorkerVerdict = Omit<InstructionVerdict, "instruction">;

export type ToWorker =
  | { readonly kind: "z3"; readonly module: WebAssembly.Module | null }
  | { readonly kind: "isa"; readonly id: number; readonly isa: IR.Isa }
  | { readonly kind: "classify"; readonly isaId: number; readonly config: IR.GuestConfig; readonly instruction: number; readonly options: ClassifyOptions };

export type FromWorker =
  | { readonly kind: "verdict"; readonly verdict: WorkerVerdict }
  | { readonly kind: "error"; readonly message: string };

interface Task {
  readonly isa: IR.Isa;
  /** Larger first (see analysisWeight). */
  readonly weight: number;
  readonly message: Omit<ToWorker & { kind: "classify" }, "isaId">;
  readonly resolve: (v: InstructionVerdict) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly isas: Set<number>;
  /** Sent to the worker and not answered yet, in the order sent: it answers them in that order. */
  readonly tasks: Task[];
}

/**
 * Tasks a worker holds at once while the queue is long: the one it runs and the next, so that it
 * starts the next as soon as it answers instead of waiting for the main thread to hear the answer
 * and send another (the main thread is busy with verdicts, and the worker would idle meanwhile).
 */
const PREFETCH = 2;

const isaIds = new WeakMap<IR.Isa, number>();
let nextIsaId = 1;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private failure: Error | null = null;
  /** Workers start when there is work for them (an analysis answered from the cache starts none). */
  constructor(readonly size: number) {}

  /** Queued by weight, the heaviest first (equal weights in the order they came). */
  classify(isa: IR.Isa, config: IR.GuestConfig, instruction: number, options: ClassifyOptions, weight = 0): Promise<InstructionVerdict> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const task = { isa, weight, message: { kind: "classify", config, instruction, options } as const, resolve, reject };
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1]!.weight < weight) at--;
      this.queue.splice(at, 0, task);
      // Workers start at once (they load their modules and Z3 while the main thread goes on queuing);
      // tasks are dispatched once this turn's analyses have queued theirs (the CLI starts every
      // configuration at once), so that the heaviest of them goes first.
      this.grow();
      this.scheduleDispatch();
    });
  }

  private dispatchPending = false;

  private scheduleDispatch(): void {
    if (this.dispatchPending) return;
    this.dispatchPending = true;
    setImmediate(() => {
      this.dispatchPending = false;
      this.dispatch();
    });
  }

  /** Worker threads running now. */
  get started(): number {
    return this.slots.length;
  }

  /** Tasks sent to workers and not answered yet. */
  get sent(): number {
    return this.slots.reduce((n, s) => n + s.tasks.length, 0);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private spawn(): Slot {
    const worker = startWorker();
    // Z3's WebAssembly, compiled once for every worker (see useCompiledZ3; each would otherwise
    // compile its own, ~0.4 s of CPU apiece). The worker waits for it before its Z3 starts (a failed
    // compile leaves the worker to compile its own).
    compileZ3().then((module) => worker.postMessage({ kind: "z3", module } satisfies ToWorker), () => worker.postMessage({ kind: "z3", module: null } satisfies ToWorker));
    const slot: Slot = { worker, isas: new Set(), tasks: [] };
    worker.unref();
    worker.on("message", (m: FromWorker) => {
      const task = slot.tasks.shift();
      if (!task) return; // the pool failed meanwhile: the task was rejected already
      if (slot.tasks.length === 0) worker.unref();
      if (m.kind === "verdict") task.resolve({ ...m.verdict, instruction: task.isa.instructions[task.message.instruction]! });
      else task.reject(new Error(m.message));
      this.dispatch();
    });
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", (code) => {
      if (code !== 0) this.fail(new Error(`popek: analysis worker exited with code ${code}`));
    });
    return slot;
  }

  /** A worker that died takes the pool with it: every waiting and running task fails. */
  private fail(e: Error): void {
    this.failure ??= e;
    for (const s of this.slots) for (const t of s.tasks.splice(0)) t.reject(e);
    for (const t of this.queue.splice(0)) t.reject(e);
  }

  /** Starts workers while there is more waiting than the idle ones can take. */
  private grow(): void {
    while (this.slots.length < this.size && this.queue.length > this.slots.filter((s) => s.tasks.length === 0).length) this.slots.push(this.spawn());
  }

  private dispatch(): void {
    this.grow();
    // Each idle worker first, then a second task to each while the queue outlasts the workers (at
    // its end, a task held by a busy worker could wait while another worker idles).
    for (let depth = 1; depth <= PREFETCH; depth++) {
      for (const slot of this.slots) {
        if (slot.tasks.length >= depth || this.queue.length === 0 || (depth > 1 && this.queue.length <= this.slots.length)) continue;
        this.send(slot, this.queue.shift()!);
      }
    }
  }

  private send(slot: Slot, task: Task): void {
    slot.tasks.push(task);
    let id = isaIds.get(task.isa);
    if (id === undefined) isaIds.set(task.isa, (id = nextIsaId++));
    if (!slot.isas.has(id)) {
      slot.isas.add(id);
      slot.worker.postMessage({ kind: "isa", id, isa: task.isa } satisfies ToWorker);
    }
    slot.worker.ref();
    slot.worker.postMessage({ ...task.message, isaId: id } satisfies ToWorker);
  }
}

let shared: WorkerPool | null = null;

/** The process's pool of `size` workers (made again if a pool of another size was asked for). */
export function workerPool(size: number): WorkerPool {
  if (shared && shared.size !== size) {
    void shared.close();
    shared = null;
  }
  return (shared ??= new WorkerPool(size));
}

/** Ends the workers (call when the analyses are done; harmless when there are none). */
export async function closeWorkerPool(): Promise<void> {
  const p = shared;
  shared = null;
  await p?.close();
}

function startWorker(): Worker {
  const entry = new URL(`./worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url);
  if (entry.pathname.endsWith(".js")) return new Worker(entry);
  const boot = `${registerSourceLoader()} await import(${JSON.stringify(entry.href)});`;
  return new Worker(`import(${JSON.stringify(`data:text/javascript,${encodeURIComponent(boot)}`)})`, { eval: true });
}

/**
 * A module's text that registers the loader of TypeScript sources (see tsLoader) in the thread or
 * process that evaluates it (a worker here; a child process in the tests: `node --import`).
 */
export function registerSourceLoader(): string {
  const typescript = pathToFileURL(createRequire(import.meta.url).resolve("typescript")).href;
  const loader = `data:text/javascript,${encodeURIComponent(tsLoader(typescript))}`;
  return `import { register } from "node:module"; register(${JSON.stringify(loader)});`;
}

/** A module loader for the sources: "./x.js" finds ./x.ts, and .ts files are transpiled (types erased). */
function tsLoader(typescript: string): string {
  return `
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ts from ${JSON.stringify(typescript)};
export async function resolve(specifier, context, next) {
  if (specifier.startsWith(".") && specifier.endsWith(".js") && context.parentURL && context.parentURL.endsWith(".ts")) {
    const url = new URL(specifier, context.parentURL);
    const source = new URL(url.href.slice(0, -3) + ".ts");
    if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(source))) return { url: source.href, shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  const file = fileURLToPath(url);
  const out = ts.transpileModule(readFileSync(file, "utf8"), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  return { format: "module", source: out.outputText, shortCircuit: true };
}
`;
}
