/**
 * One Z3 context for the whole analysis (Z3's official WASM bindings). Initialising Z3 costs a few
 * hundred milliseconds, so it happens once; `shutdownZ3` stops its worker threads so the process
 * can exit.
 *
 * Checks run on the calling thread (checkSat), not on one of Z3's worker threads as the bindings'
 * asynchronous `check` does: handing each check to a thread and hearing back cost ~4 ms a query,
 * a sixth of the library's solving time, and the calling thread only waited meanwhile. Z3's
 * timeout still works (its timer is a thread of its own).
 *
 * Z3's bindings free native objects from a FinalizationRegistry: when JavaScript's garbage collector
 * drops a term, its callback calls Z3's dec_ref. We hand the bindings a registry that never frees an
 * object of a context already deleted, and that keeps a fresh context's objects in a table instead
 * (see live).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fastInvokes } from "./z3-invoke.js";
import type { BitVec, Bool, Context, Model, SMTArray, Solver, Tactic } from "z3-solver";

export type Z3 = Context<"main">;
export type BV = BitVec<number, "main">;
export type B = Bool<"main">;
export type Arr = SMTArray<"main">;
export type Z3Model = Model<"main">;
export type Z3Solver = Solver<"main">;

type Api = Awaited<ReturnType<typeof import("z3-solver")["init"]>>;

/**
 * The context whose objects are being made now (see withFreshZ3; 0: the shared one), and the
 * contexts deleted since: a free that arrives for an object of a deleted context must not run, as
 * its memory went with the context.
 */
let owner = 0;
const deleted = new Set<number>();

/**
 * The native objects of each live fresh context (withFreshZ3), by address: how many references the
 * bindings took and how to drop one. They are not handed to the collector: a fresh context lives for
 * one instruction, and finalisation cost more than the analysis around it (registering every
 * wrapper, collecting them, a dec_ref each). Instead every reference is dropped when the context
 * ends, before it is deleted. Why then and not never: deleting a context whose terms are still
 * referenced is quadratic in Z3 (its destructor frees the unreferenced roots round by round, and a
 * wrapper's term is referenced): a context of one instruction's terms took seconds - minutes for
 * x86's far transfers - to delete; with every reference dropped first, deletion is linear.
 * Z3 hash-conses terms, so many wrappers share one address: the table is as large as the number of
 * distinct terms, not of wrappers.
 */
interface Held {
  count: number;
  readonly free: () => void;
}

const live = new Map<number, Map<unknown, Held>>();
/** The table key of each object registered with an unregister token (the bindings pass the object itself). */
const keyOf = new WeakMap<WeakKey, unknown>();

/**
 * A FinalizationRegistry whose callbacks never run for an object of a deleted context; objects of a
 * fresh context go to its table instead (see live).
 */
class GatedFinalizationRegistry<T> extends FinalizationRegistry<{ readonly owner: number; readonly held: T }> {
  constructor(private readonly callback: (held: T) => void) {
    super(({ owner: o, held }) => {
      if (!deleted.has(o)) callback(held);
    });
  }

  override register(target: WeakKey, held: never, token?: WeakKey): void {
    const table = live.get(owner);
    // The one registration without a token is the context's own (del_context), which withFreshZ3 does.
    if (!table || token === undefined) {
      super.register(target, { owner, held }, token);
      return;
    }
    const ptr = (target as { ptr?: unknown }).ptr;
    const key = typeof ptr === "number" ? ptr : target;
    const h = table.get(key);
    if (h) h.count++;
    else table.set(key, { count: 1, free: () => this.callback(held) });
    // Terms are never unregistered; solvers, models and the like are (when released).
    if (!("ast" in target)) keyOf.set(token, key);
  }

  /** The bindings unregister an object they released themselves (a solver): its reference is gone. */
  override unregister(token: WeakKey): boolean {
    const table = live.get(owner);
    if (!table || !keyOf.has(token)) return super.unregister(token);
    const key = keyOf.get(token);
    keyOf.delete(token);
    const h = table.get(key);
    if (h && --h.count === 0) table.delete(key);
    return true;
  }
}

/** Drops every reference the bindings took in a fresh context, so deleting it is linear. */
function releaseAll(id: number): void {
  for (const h of live.get(id)?.values() ?? []) for (let i = 0; i < h.count; i++) h.free();
  live.delete(id);
}

let session: Promise<{ api: Api; ctx: Z3; killThreads: typeof import("z3-solver")["killThreads"] }> | null = null;

/**
 * Z3's WebAssembly compiled elsewhere in this process (an analysis worker gets it from the pool),
 * or null to compile it here. V8 shares a compiled module's code between the threads it is posted
 * to, functions compiled lazily by one included: a worker's Z3 then starts in ~40 ms instead of
 * ~400 (two workers, one after the other: 3.25 -> 2.39 CPU s; `popek check` of ARM and pg-flawed,
 * where the two start together: ~10.8 -> ~10.5 CPU s).
 */
let compiled: Promise<WebAssembly.Module | null> | null = null;

/**
 * Makes Z3 start from this compiled module, once it is there (call before the first use of Z3 in
 * this thread); a promise of null lets Z3 compile its own.
 */
export function useCompiledZ3(module: Promise<WebAssembly.Module | null>): void {
  compiled = module;
}

let compiling: Promise<WebAssembly.Module> | null = null;

/**
 * Z3's WebAssembly (the same file the bindings load), compiled once per process, to be shared with
 * useCompiledZ3: the first call starts the compilation, on V8's compiler threads.
 */
export function compileZ3(): Promise<WebAssembly.Module> {
  if (!compiling) {
    // Read at once (0.1 s): read asynchronously, each chunk waits for the main thread, which
    // `popek check` then keeps busy loading specs; the compilation itself needs it only to start.
    const bindings = createRequire(import.meta.url).resolve("z3-solver");
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = readFileSync(join(dirname(bindings), "z3-built.wasm")) as Uint8Array<ArrayBuffer>;
    } catch (e) {
      return (compiling = Promise.reject(e));
    }
    compiling = WebAssembly.compile(bytes);
  }
  return compiling;
}

/**
 * Starts compiling Z3 now, for an analysis to come: `popek check` calls it before it loads the
 * specs, which keeps the main thread busy while the second core is idle. Compiled afterwards, with
 * the workers loading and the main thread queuing, it was ready 0.8-1.1 s after the workers started,
 * and they waited for it; started early, ~0.2 s after (popek check isas/*.isa). The compilation's
 * last steps run on the thread that started it: a caller busy meanwhile lets it have a turn now and
 * then (check.ts does between specs).
 */
export function prepareZ3(): void {
  compileZ3().catch(() => undefined); // a failed compile is met again (and reported) where it is used
}

/** Where this thread's Z3 has its exception trampolines (see z3-invoke.ts); null before it starts. */
let trampolines: "webassembly" | "javascript" | null = null;

export function z3Trampolines(): "webassembly" | "javascript" | null {
  return trampolines;
}

async function start() {
  const { init, killThreads } = await import("z3-solver");
  // A module compiled elsewhere (a worker's, from the pool), or here (at prepareZ3 or now); where
  // compiling fails, init tries its own way and reports what it meets.
  const module = compiled ? await compiled : await compileZ3().catch(() => null);
  if (!module) trampolines = "javascript";
  // The bindings create their registry inside init(); they are the only caller while it runs.
  const original = globalThis.FinalizationRegistry;
  globalThis.FinalizationRegistry = GatedFinalizationRegistry as typeof FinalizationRegistry;
  try {
    // Emscripten's hook for instantiating the module itself: done(instance, module) continues
    // start-up, and the {} returned says the exports come later.
    const api = await init(module ? {
      instantiateWasm: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
        // Z3's exception trampolines in WebAssembly (see z3-invoke.ts), where they can be made.
        const fast = process.env.POPEK_Z3_JS_TRAMPOLINES ? null : fastInvokes(imports, WebAssembly.Module.exports(module).map((e) => e.name));
        trampolines = fast ? "webassembly" : "javascript";
        void WebAssembly.instantiate(module, fast?.imports ?? imports).then((instance) => {
          fast?.attach(instance);
          done(instance, module);
        });
        return {};
      },
    } : {});
    nativeModule = api.em as NativeModule;
    bindings = api;
    return { api, ctx: new api.Context("main"), killThreads };
  } finally {
    globalThis.FinalizationRegistry = original;
  }
}

/** The compiled Z3 module's exports (the bindings type it `any`): the synchronous check. */
interface NativeModule {
  _Z3_solver_check(context: number, solver: number): number;
}

/** Z3_lbool's values. */
const Z3_L_FALSE = -1;
const Z3_L_TRUE = 1;

let nativeModule: NativeModule | null = null;
/** The bindings, once started (for checkSat's error check). */
let bindings: Api | null = null;

/** Tactics by name, made once per context. */
const tactics = new WeakMap<Z3, Map<string, Tactic<"main">>>();

function tactic(Z: Z3, name: string): Tactic<"main"> {
  let byName = tactics.get(Z);
  if (!byName) tactics.set(Z, (byName = new Map()));
  let t = byName.get(name);
  if (!t) byName.set(name, (t = new Z.Tactic(name)));
  return t;
}

/**
 * A solver for one check: Z3's default tactic on its own, what a fresh `Solver`'s first check runs.
 * A `Solver` is a combined solver that also hands every assertion to its incremental SMT core,
 * which preprocesses it at once (on the calling thread) for a check that never uses it: over the
 * library, 1.3 of the main thread's seconds.
 */
export function oneCheckSolver(Z: Z3): Z3Solver {
  return tactic(Z, "default").solver();
}

/**
 * Whether `claim` holds in every model, decided on the calling thread within `rlimit` resource
 * units: for the small side questions symbolic execution asks while it builds terms, which cannot
 * wait for an asynchronous check. False when it is refuted or the units run out (callers treat
 * "not proved" as the safe answer). Deterministic, as every check here: units, not time.
 */
export function provedHere(Z: Z3, claim: B, rlimit: number): boolean {
  if (!nativeModule) throw new Error("popek: Z3 is not started");
  // Z3's bit-vector tactic on its own: these claims (one translation against another) are small,
  // and the general solver's set-up is most of their cost (ARM's permission claims: 3 ms against 16).
  // A claim it cannot decide is not proved.
  const s = tactic(Z, "qfbv").solver();
  try {
    s.set("rlimit", rlimit);
    s.add(Z.Not(claim));
    return nativeModule._Z3_solver_check(Z.ptr as unknown as number, s.ptr as unknown as number) === Z3_L_FALSE;
  } finally {
    s.release();
  }
}

/** The shared context, created on first use. */
export async function z3(): Promise<Z3> {
  session ??= start();
  return (await session).ctx;
}

let contexts = 0;

/**
 * Runs fn with a new context of the same Z3 instance, deleted when fn returns. Each instruction is
 * analysed in a context of its own: what Z3 answers (its models, hence the witnesses) then does not
 * depend on which instructions were analysed before in the same thread, so one thread and several
 * workers give the same results; and a context's memory (megabytes of terms) is returned at once.
 * fn must not keep any object of the context, and nothing else may make Z3 objects while it runs.
 */
export async function withFreshZ3<T>(fn: (Z: Z3) => Promise<T>): Promise<T> {
  session ??= start();
  const s = await session;
  // Objects are filed under the context being made now (owner): two at once would mix their tables.
  if (owner !== 0) throw new Error("popek: two fresh Z3 contexts at once in one thread");
  const id = ++contexts;
  owner = id;
  live.set(id, new Map());
  const ctx = new s.api.Context("main");
  try {
    return await fn(ctx);
  } finally {
    owner = 0;
    releaseAll(id);
    deleted.add(id);
    s.api.Z3.del_context(ctx.ptr);
  }
}

/**
 * Checks the solver's assertions on this thread (see the top of this file): nothing else runs
 * meanwhile, so no native object is freed under the solver's feet.
 */
export function checkSat(solver: Z3Solver): "sat" | "unsat" | "unknown" {
  if (!nativeModule || !bindings) throw new Error("popek: Z3 is not started");
  const ctx = solver.ctx.ptr;
  const r = nativeModule._Z3_solver_check(ctx as unknown as number, solver.ptr as unknown as number);
  const code = bindings.Z3.get_error_code(ctx);
  if (code !== 0) throw new Error(`popek: Z3 failed a check: ${bindings.Z3.get_error_msg(ctx, code)}`);
  return r === Z3_L_TRUE ? "sat" : r === Z3_L_FALSE ? "unsat" : "unknown";
}

/** Stops Z3's threads; call once when the analysis is done. */
export async function shutdownZ3(): Promise<void> {
  if (!session) return;
  const s = await session;
  session = null;
  // A thread Z3 started during a check (its timer's) may still be loading, the check having kept
  // this thread from hearing it; stopped now, its late "loaded" would be reported on stderr.
  const { PThread } = s.api.em as { PThread: { unusedWorkers: { loaded?: boolean }[]; runningWorkers: { loaded?: boolean }[] } };
  for (let waited = 0; waited < THREAD_LOAD_WAIT_MS && [...PThread.unusedWorkers, ...PThread.runningWorkers].some((w) => !w.loaded); waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await s.killThreads(s.api.em);
}

/** How long shutdownZ3 waits for Z3's threads to finish loading (they take ~0.2 s). */
const THREAD_LOAD_WAIT_MS = 5000;
