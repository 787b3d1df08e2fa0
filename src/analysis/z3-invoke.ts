/**
 * Z3's exception trampolines in WebAssembly instead of JavaScript.
 *
 * z3-solver's build handles C++ exceptions the Emscripten way: every call that may throw is made
 * through an imported JavaScript function, invoke_<signature>(index, args...), which saves the stack
 * pointer (a call back into Z3), calls the table entry `index` (another call into Z3), and catches
 * what C++ throws. Z3 makes such calls all the time (most of its calls have destructors to run on
 * unwinding), so each crosses into JavaScript and back twice; over the library those crossings took
 * a tenth of the analysis's time in one thread.
 *
 * Here each invoke_* is a function of a small WebAssembly module built below: the same steps as
 * Emscripten's JavaScript (save the stack pointer; call; on an exception, restore it, and either mark
 * the exception thrown for Z3's landing pad with setThrew(1, 0) or pass it on), as WebAssembly calling
 * WebAssembly. The module calls Z3's functions through two tables: a copy of Z3's function table
 * (made once Z3 is instantiated; an index beyond the copy goes to Emscripten's own invoke, so a
 * function Z3's table gains later still works), and Z3's stack and setThrew exports.
 *
 * Telling a C++ exception from any other (a JavaScript error to be passed on): C++ exceptions are
 * thrown only by three of the imports (__cxa_throw, __cxa_rethrow, __resumeException), which are
 * wrapped to note one in flight; the trampoline that catches it clears the note. Anything caught
 * with no note is rethrown, as Emscripten's `instanceof EmscriptenEH` test does.
 *
 * Uses WebAssembly's exception handling (try / catch_all / rethrow), which V8 has enabled since
 * Node 17. Where the imports are not what this expects (another build of z3-solver), nothing is
 * replaced and Z3 runs as shipped.
 */

/** WebAssembly value types by Emscripten's signature letters. */
const VALUE: Readonly<Record<string, number>> = { i: 0x7f, j: 0x7e, f: 0x7d, d: 0x7c };
/** The instruction that pushes a zero of each type (the result of a call that threw). */
const ZERO: Readonly<Record<string, number[]>> = { i: [0x41, 0], j: [0x42, 0], f: [0x43, 0, 0, 0, 0], d: [0x44, 0, 0, 0, 0, 0, 0, 0, 0] };

/** Emscripten's C++ exception throwers: each marks an exception in flight before it throws. */
const THROWERS = ["__cxa_throw", "__cxa_rethrow", "__resumeException"] as const;

/** Z3's exports the trampolines call, in the order of their slots in the second table. */
const HELPERS = ["emscripten_stack_get_current", "_emscripten_stack_restore", "setThrew"] as const;

export interface FastInvokes {
  /** The imports to instantiate Z3 with: env's invoke_* replaced, the throwers wrapped. */
  readonly imports: WebAssembly.Imports;
  /** Call once Z3 is instantiated, before anything runs in it. */
  attach(instance: WebAssembly.Instance): void;
}

/**
 * The trampolines for Emscripten's `imports`, or null where they cannot be made (no invoke_*, an
 * unknown signature letter, a thrower or a helper missing, no exception handling in this engine).
 */
export function fastInvokes(imports: WebAssembly.Imports, exportNames: readonly string[]): FastInvokes | null {
  const env = imports["env"];
  if (!env) return null;
  const names = Object.keys(env).filter((k) => k.startsWith("invoke_") && typeof env[k] === "function");
  if (names.length === 0) return null;
  if (names.some((n) => ![...n.slice("invoke_".length)].every((c, i) => c in VALUE || (i === 0 && c === "v")))) return null;
  if (THROWERS.some((t) => typeof env[t] !== "function")) return null;
  if (HELPERS.some((h) => !exportNames.includes(h)) || !exportNames.includes("__indirect_function_table")) return null;

  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = trampolineModule(names);
    if (!WebAssembly.validate(bytes)) return null;
  } catch {
    return null;
  }
  let inFlight = false;
  const table = new WebAssembly.Table({ element: "anyfunc", initial: 0 });
  const helpers = new WebAssembly.Table({ element: "anyfunc", initial: HELPERS.length });
  // Emscripten's own invoke, for an index beyond the copy: it catches a C++ exception itself, so
  // none is in flight once it returns.
  const originals = Object.fromEntries(names.map((n) => {
    const original = env[n] as (...args: unknown[]) => unknown;
    return [n, (...args: unknown[]) => {
      const r = original(...args);
      inFlight = false;
      return r;
    }];
  }));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    h: { table, helpers, caught: () => (inFlight ? ((inFlight = false), 1) : 0), ...originals },
  });
  const wrapped: WebAssembly.ModuleImports = { ...env };
  for (const n of names) wrapped[n] = instance.exports[n] as WebAssembly.ImportValue;
  for (const t of THROWERS) {
    const original = env[t] as (...args: unknown[]) => never;
    wrapped[t] = (...args: unknown[]): never => {
      inFlight = true;
      return original(...args);
    };
  }
  return {
    imports: { ...imports, env: wrapped },
    attach(z3: WebAssembly.Instance) {
      const source = z3.exports["__indirect_function_table"] as WebAssembly.Table;
      table.grow(source.length);
      for (let i = 0; i < source.length; i++) table.set(i, source.get(i));
      HELPERS.forEach((h, i) => helpers.set(i, z3.exports[h] as () => unknown));
    },
  };
}

// ------------------------------------------------------------ the module's bytes

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const text = (s: string): number[] => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const funcType = (params: number[], results: number[]): number[] => [0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))];

/**
 * Imports: h.table (table 0, Z3's functions), h.helpers (table 1), h.caught (function 0), and each
 * invoke_*'s JavaScript original (functions 1..n). Defines and exports one trampoline per invoke_*.
 */
function trampolineModule(names: readonly string[]): Uint8Array<ArrayBuffer> {
  const types: number[][] = [];
  const typeIndex = new Map<string, number>();
  const typeOf = (params: number[], results: number[]): number => {
    const key = `${params.join(",")}:${results.join(",")}`;
    let i = typeIndex.get(key);
    if (i === undefined) {
      typeIndex.set(key, (i = types.length));
      types.push(funcType(params, results));
    }
    return i;
  };
  const I32 = VALUE["i"]!;
  const tSave = typeOf([], [I32]);
  const tRestore = typeOf([I32], []);
  const tThrew = typeOf([I32, I32], []);
  const tCaught = tSave;
  const sigs = names.map((n) => {
    const letters = n.slice("invoke_".length);
    const result = letters[0] === "v" ? null : letters[0]!;
    const params = [...letters.slice(1)].map((c) => VALUE[c]!);
    const results = result ? [VALUE[result]!] : [];
    return { name: n, result, params, results, target: typeOf(params, results), trampoline: typeOf([I32, ...params], results) };
  });

  const funcref = 0x70;
  const imports = [
    [...text("h"), ...text("table"), 0x01, funcref, 0x00, ...leb(0)],
    [...text("h"), ...text("helpers"), 0x01, funcref, 0x00, ...leb(HELPERS.length)],
    [...text("h"), ...text("caught"), 0x00, ...leb(tCaught)],
    ...sigs.map((s) => [...text("h"), ...text(s.name), 0x00, ...leb(s.trampoline)]),
  ];
  const callHelper = (slot: number, type: number) => [0x41, ...leb(slot), 0x11, ...leb(type), ...leb(1)];
  const bodies = sigs.map((s, k) => {
    const n = s.params.length;
    const sp = n + 1; // the local after the parameters (index, args...)
    const args = Array.from({ length: n }, (_, i) => [0x20, ...leb(i + 1)]).flat();
    const block = s.results.length ? s.results[0]! : 0x40;
    const code = [
      // An index beyond the copied table: Emscripten's own invoke (a function added to Z3's table later).
      0x20, 0, 0xfc, 16, 0, 0x4f, // local.get 0; table.size 0; i32.ge_u
      0x04, 0x40, 0x20, 0, ...args, 0x10, ...leb(1 + k), 0x0f, 0x0b, // if: return original(index, args)
      ...callHelper(0, tSave), 0x21, ...leb(sp), // sp = stackSave()
      0x06, block, // try
      ...args, 0x20, 0, 0x11, ...leb(s.target), 0, // call_indirect table 0
      0x19, // catch_all
      0x20, ...leb(sp), ...callHelper(1, tRestore), // stackRestore(sp)
      0x10, 0, 0x45, 0x04, 0x40, 0x09, 1, 0x0b, // if !caught(): rethrow
      0x41, 1, 0x41, 0, ...callHelper(2, tThrew), // setThrew(1, 0)
      ...(s.result ? ZERO[s.result]! : []),
      0x0b, // end try
      0x0b, // end function
    ];
    const locals = vec([[1, I32]]);
    const body = [...locals, ...code];
    return [...leb(body.length), ...body];
  });
  const importedFuncs = 1 + sigs.length;
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(sigs.map((s) => leb(s.trampoline)))),
    ...section(7, vec(sigs.map((s, k) => [...text(s.name), 0x00, ...leb(importedFuncs + k)]))),
    ...section(10, vec(bodies)),
  ];
  return new Uint8Array(bytes);
}
