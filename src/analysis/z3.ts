/**
 * One Z3 context for the whole analysis (Z3's official WASM bindings). Initialising Z3 costs a few
 * hundred milliseconds, so it happens once; `shutdownZ3` stops its worker threads so the process
 * can exit.
 */
import { init, killThreads, type BitVec, type Bool, type Context, type Model, type SMTArray, type Solver } from "z3-solver";

export type Z3 = Context<"main">;
export type BV = BitVec<number, "main">;
export type B = Bool<"main">;
export type Arr = SMTArray<"main">;
export type Z3Model = Model<"main">;
export type Z3Solver = Solver<"main">;

let session: Promise<{ api: Awaited<ReturnType<typeof init>>; ctx: Z3 }> | null = null;

/** The shared context, created on first use. */
export async function z3(): Promise<Z3> {
  session ??= init().then((api) => ({ api, ctx: new api.Context("main") }));
  return (await session).ctx;
}

/** Stops Z3's threads; call once when the analysis is done. */
export async function shutdownZ3(): Promise<void> {
  if (!session) return;
  const s = await session;
  session = null;
  await killThreads(s.api.em);
}
