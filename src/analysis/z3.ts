/**
 * One Z3 context for the whole analysis (Z3's official WASM bindings). Initialising Z3 costs a few
 * hundred milliseconds, so it happens once; `shutdownZ3` stops its worker threads so the process
 * can exit.
 *
 * Z3's bindings free native objects from a FinalizationRegistry: when JavaScript's garbage collector
 * drops a term, its callback calls Z3's dec_ref on the main thread. A `check` runs on a Z3 worker
 * thread, and a context is not thread-safe, so a collection during a long check frees terms under
 * the solver's feet ("memory access out of bounds", Z3Prover/z3#7723). We therefore hand the
 * bindings a registry whose callbacks wait while a check is running, and run every check through
 * `checkSat`, which drains them afterwards.
 */
import type { BitVec, Bool, Context, Model, SMTArray, Solver } from "z3-solver";

export type Z3 = Context<"main">;
export type BV = BitVec<number, "main">;
export type B = Bool<"main">;
export type Arr = SMTArray<"main">;
export type Z3Model = Model<"main">;
export type Z3Solver = Solver<"main">;

type Api = Awaited<ReturnType<typeof import("z3-solver")["init"]>>;

/** Native frees that arrived while a check was running; run once it returns. */
const deferred: (() => void)[] = [];
let checking = false;

/**
 * The context whose objects are being made now (see withFreshZ3; 0: the shared one), and the
 * contexts deleted since: a free that arrives for an object of a deleted context must not run, as
 * its memory went with the context.
 */
let owner = 0;
const deleted = new Set<number>();

/** One registered native object: its free, run at most once (by the collector or by releaseAll). */
interface Registration {
  readonly owner: number;
  done: boolean;
  readonly free: () => void;
}

/**
 * The registrations of each live fresh context (withFreshZ3) whose free has not run. Why: deleting a
 * context that still holds referenced terms is quadratic in Z3 (its destructor frees the unreferenced
 * roots round by round, and every term a JavaScript wrapper holds is referenced): a context of one
 * instruction's terms took seconds - up to minutes for x86 - to delete. Dropping every reference
 * first makes the deletion linear (see releaseAll).
 */
const live = new Map<number, Registration[]>();
/** The registrations made with an unregister token (the bindings pass the object itself). */
const byToken = new WeakMap<WeakKey, Registration[]>();

/**
 * A FinalizationRegistry whose callbacks never run while a Z3 check is in flight, and never for an
 * object of a deleted context.
 */
class GatedFinalizationRegistry<T> extends FinalizationRegistry<Registration> {
  constructor(private readonly callback: (held: T) => void) {
    super((r) => {
      if (deleted.has(r.owner)) return;
      if (checking) deferred.push(() => (deleted.has(r.owner) ? undefined : release(r)));
      else release(r);
    });
  }

  override register(target: WeakKey, held: never, token?: WeakKey): void {
    const r: Registration = { owner, done: false, free: () => this.callback(held) };
    super.register(target, r, token);
    // Only objects with a token are tracked: the one registration without is the context's own,
    // whose free (del_context) withFreshZ3 does itself.
    if (token === undefined || owner === 0) return;
    live.get(owner)?.push(r);
    const list = byToken.get(token);
    if (list) list.push(r);
    else byToken.set(token, [r]);
  }

  override unregister(token: WeakKey): boolean {
    for (const r of byToken.get(token) ?? []) r.done = true;
    byToken.delete(token);
    return super.unregister(token);
  }
}

function release(r: Registration): void {
  if (r.done) return;
  r.done = true;
  r.free();
}

/** Frees every object of a fresh context that is still referenced, so deleting it is linear. */
function releaseAll(id: number): void {
  for (const r of live.get(id) ?? []) release(r);
  live.delete(id);
}

let session: Promise<{ api: Api; ctx: Z3; killThreads: typeof import("z3-solver")["killThreads"] }> | null = null;

async function start() {
  const { init, killThreads } = await import("z3-solver");
  // The bindings create their registry inside init(); they are the only caller while it runs.
  const original = globalThis.FinalizationRegistry;
  globalThis.FinalizationRegistry = GatedFinalizationRegistry as typeof FinalizationRegistry;
  try {
    const api = await init();
    return { api, ctx: new api.Context("main"), killThreads };
  } finally {
    globalThis.FinalizationRegistry = original;
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
  const id = ++contexts;
  const outer = owner;
  owner = id;
  live.set(id, []);
  const ctx = new s.api.Context("main");
  try {
    return await fn(ctx);
  } finally {
    owner = outer;
    releaseAll(id);
    deleted.add(id);
    s.api.Z3.del_context(ctx.ptr);
  }
}

/** Runs solver.check() with native frees held back until it returns. */
export async function checkSat(solver: Z3Solver): Promise<"sat" | "unsat" | "unknown"> {
  if (checking) throw new Error("popek: two Z3 checks at once on one context");
  checking = true;
  try {
    return await solver.check();
  } finally {
    checking = false;
    for (const free of deferred.splice(0)) free();
  }
}

/** Stops Z3's threads; call once when the analysis is done. */
export async function shutdownZ3(): Promise<void> {
  if (!session) return;
  const s = await session;
  session = null;
  await s.killThreads(s.api.em);
}
