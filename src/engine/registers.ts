/**
 * Guest registers in JavaScript locals. The specializer writes every register access as R[slot] on
 * the engine's Uint32Array; in a loop that also loads and stores guest memory (another Uint32Array
 * view) V8 cannot tell the two apart, so it reloads every register after every store and stores
 * every register write at once. This pass gives each register slot a function accesses at a constant
 * index a local `r<slot>`: loaded once at entry, written back once on the way out (a `finally`, so
 * returns and traps alike leave R exactly as the instruction-by-instruction code would).
 *
 * R stays right wherever something outside the function reads it: before a call of a compiled helper
 * (tick, translate), the slots it may read are written back; before a journal entry (JN.reg reads the
 * old value) or a register access at a computed index, every written slot is, and after a write at a
 * computed index every slot is loaded again. Slots a helper may write are never cached (a helper that
 * writes one and then traps would otherwise see its write undone by the `finally`). Code calling the
 * hooks (tick override, translate hook, choose), whose reads and writes are unknown, is left as it is.
 */
import { J, type JExpr, type JStmt } from "./js.js";

/** What the pass must know about the compiled helpers generated code calls. */
export interface HelperSlots {
  /** Register slots the tick and translate helpers may read. */
  readonly reads: ReadonlySet<number>;
  /** Register slots they may write. */
  readonly writes: ReadonlySet<number>;
}

/** Calls that neither read nor write R (memory, journal of memory and output, operations, signals). */
const PURE = new Set([
  "M.r", "M.r8", "M.r32", "M.u", "M.w", "M.w8", "M.w32", "M.add", "JN.readStart", "JN.mem", "JN.out", "OUT.push",
  "TRAP", "HALT", "BADINDEX", "Error", "BigInt", "Number", "TOBIG", "LIMB", "LIMBS", "BIGSEXT",
]);
/** Compiled helpers: they read (and may write) the slots of HelperSlots. */
const HELPERS = new Set(["TICK", "XR", "XW", "XF", "XRJ", "XWJ"]);

function calleeName(fn: JExpr): string | null {
  if (fn.k === "id") return fn.name;
  if (fn.k === "member" && fn.obj.k === "id") return `${fn.obj.name}.${fn.name}`;
  return null;
}

const isR = (e: JExpr): boolean => e.k === "id" && e.name === "R";
const constSlot = (e: JExpr): number | null => (e.k === "index" && isR(e.obj) && e.at.k === "num" ? e.at.v : null);

/** What one expression (or statement head) needs around it. */
interface Needs {
  /** Slots to write back before it (null: every written slot). */
  spill: Set<number> | null;
  /** Every slot must be loaded again after it (a write at a computed index). */
  reload: boolean;
}

/** Facts about the function, gathered before rewriting; null when the pass does not apply. */
function survey(code: readonly JStmt[]): { slots: Set<number>; written: Set<number> } | null {
  const slots = new Set<number>();
  const written = new Set<number>();
  let ok = true;
  const expr = (e: JExpr): void => {
    switch (e.k) {
      case "id":
        if (e.name === "R") ok = false; // R used as a value: it escapes.
        return;
      case "index": {
        const s = constSlot(e);
        if (s !== null) slots.add(s);
        else if (!isR(e.obj)) expr(e.obj);
        expr(e.at);
        return;
      }
      case "bin": expr(e.l); expr(e.r); return;
      case "un": expr(e.e); return;
      case "cond": expr(e.c); expr(e.t); expr(e.f); return;
      case "member": expr(e.obj); return;
      case "call": {
        const name = calleeName(e.fn);
        const known = name !== null && (PURE.has(name) || HELPERS.has(name) || name === "JN.reg" || name.startsWith("OPS.") || name.startsWith("Math."));
        if (!known) ok = false;
        if (e.fn.k !== "id" && e.fn.k !== "member") expr(e.fn);
        e.args.forEach(expr);
        return;
      }
      default:
        return;
    }
  };
  const stmt = (s: JStmt): void => {
    switch (s.k) {
      case "assign": {
        const t = constSlot(s.target);
        if (t !== null) {
          slots.add(t);
          written.add(t);
        } else if (s.target.k === "index" && isR(s.target.obj)) expr(s.target.at);
        else expr(s.target);
        expr(s.value);
        return;
      }
      case "expr": expr(s.e); return;
      case "return": if (s.e) expr(s.e); return;
      case "throw": expr(s.e); return;
      case "if": expr(s.c); s.then.forEach(stmt); s.else.forEach(stmt); return;
      case "label":
      case "loop": s.body.forEach(stmt); return;
      case "switch": expr(s.on); s.cases.forEach((c) => c.body.forEach(stmt)); return;
      default: return;
    }
  };
  code.forEach(stmt);
  return ok && slots.size > 0 ? { slots, written } : null;
}

/** Local variable of a slot. */
const local = (s: number): string => `r${s}`;

/**
 * The function body with registers in locals (see the file comment), or the body unchanged when the
 * pass does not apply. Returns the statements to run in place of `code`.
 */
export function cacheRegisters(code: readonly JStmt[], helpers: HelperSlots): JStmt[] {
  const facts = survey(code);
  if (facts === null) return [...code];
  const cached = new Set([...facts.slots].filter((s) => !helpers.writes.has(s)));
  if (cached.size === 0) return [...code];
  const written = new Set([...facts.written].filter((s) => cached.has(s)));
  const sorted = (set: Iterable<number>) => [...set].sort((a, b) => a - b);
  const spillOf = (slots: Iterable<number>): JStmt[] => sorted(slots).filter((s) => written.has(s)).map((s) => J.assign(J.index(J.id("R"), J.num(s)), J.id(local(s))));
  const reloadAll = (): JStmt[] => sorted(cached).map((s) => J.assign(J.id(local(s)), J.index(J.id("R"), J.num(s))));

  const merge = (n: Needs, spill: Set<number> | null): void => {
    if (n.spill === null) return;
    if (spill === null) n.spill = null;
    else for (const s of spill) n.spill.add(s);
  };
  /** The expression with cached slots as locals; records what must happen around it in `n`. */
  const expr = (e: JExpr, n: Needs): JExpr => {
    switch (e.k) {
      case "index": {
        const s = constSlot(e);
        if (s !== null && cached.has(s)) return J.id(local(s));
        if (isR(e.obj) && s === null) merge(n, null); // a read at a computed index
        return J.index(isR(e.obj) ? e.obj : expr(e.obj, n), expr(e.at, n));
      }
      case "bin": return J.bin(e.op, expr(e.l, n), expr(e.r, n));
      case "un": return J.un(e.op, expr(e.e, n));
      case "cond": return J.cond(expr(e.c, n), expr(e.t, n), expr(e.f, n));
      case "member": return J.member(expr(e.obj, n), e.name);
      case "call": {
        const name = calleeName(e.fn);
        if (name !== null && HELPERS.has(name)) merge(n, new Set(helpers.reads));
        if (name === "JN.reg") merge(n, e.args[0]?.k === "num" ? new Set([e.args[0].v]) : null);
        return J.call(e.fn, ...e.args.map((a) => expr(a, n)));
      }
      default:
        return e;
    }
  };
  const around = (n: Needs, s: JStmt): JStmt[] => [...(n.spill === null ? spillOf(written) : spillOf(n.spill)), s, ...(n.reload ? reloadAll() : [])];
  const fresh = (): Needs => ({ spill: new Set(), reload: false });
  const list = (l: readonly JStmt[]): JStmt[] => l.flatMap(stmt);
  const stmt = (s: JStmt): JStmt[] => {
    const n = fresh();
    switch (s.k) {
      case "assign": {
        const t = constSlot(s.target);
        const value = expr(s.value, n);
        if (t !== null && cached.has(t)) return around(n, J.assign(J.id(local(t)), value));
        if (s.target.k === "index" && isR(s.target.obj) && t === null) {
          // A write at a computed index: R must be current before, and the locals after.
          n.spill = null;
          n.reload = true;
          return around(n, J.assign(J.index(s.target.obj, expr(s.target.at, n)), value));
        }
        return around(n, J.assign(expr(s.target, n), value));
      }
      case "expr": return around(n, J.expr(expr(s.e, n)));
      case "return": return around(n, J.ret(s.e && expr(s.e, n)));
      case "throw": return around(n, J.throw(expr(s.e, n)));
      case "if": {
        const c = expr(s.c, n);
        return around(n, J.if(c, list(s.then), list(s.else)));
      }
      case "label": return [{ k: "label", label: s.label, body: list(s.body) }];
      case "loop": return [{ k: "loop", label: s.label, body: list(s.body) }];
      case "switch": {
        const on = expr(s.on, n);
        return around(n, { k: "switch", on, cases: s.cases.map((c) => ({ value: c.value, body: list(c.body) })) });
      }
      default:
        return [s];
    }
  };
  const body = list(code);
  const load: JStmt = { k: "let", names: sorted(cached).map((s) => `${local(s)} = R[${s}]`) };
  if (written.size === 0) return [load, ...body];
  return [load, { k: "try", body, finally: spillOf(written) }];
}
