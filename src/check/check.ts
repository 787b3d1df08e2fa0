/**
 * The checker: resolves names, checks widths and encodings, and produces the IR. It runs in the order
 * declarations depend on each other (constants, memory, state, signatures, then bodies), reports
 * everything it finds, and returns an IR only when there is no error.
 */
import type * as A from "../syntax/ast.js";
import { DiagnosticBag } from "../syntax/diagnostics.js";
import type { LoadedSpec } from "../syntax/load.js";
import type { Span } from "../syntax/source.js";
import * as IR from "../ir/ir.js";
import { evalConst, evalNat, fits, mask, newGlobals, type Globals } from "./globals.js";
import { checkOverlaps, instructionEncodings } from "./encodings.js";
import { BodyLowerer } from "./lower.js";
import { checkConfigs, checkExpectations } from "./expectations.js";

export interface CheckResult {
  readonly isa: IR.Isa | null;
  readonly diagnostics: DiagnosticBag;
}

type DeclOf<K extends A.Decl["kind"]> = A.Decl & { kind: K };

export function checkSpec(spec: LoadedSpec): CheckResult {
  const diagnostics = new DiagnosticBag();
  for (const d of spec.diagnostics.items) diagnostics.add(d);
  if (diagnostics.hasErrors) return { isa: null, diagnostics };
  const isa = new Checker(newGlobals(diagnostics), spec).run();
  return { isa: diagnostics.hasErrors ? null : isa, diagnostics };
}

class Checker {
  private readonly d: DiagnosticBag;
  private readonly functionsIr: IR.Function[] = [];

  constructor(
    private readonly g: Globals,
    private readonly spec: LoadedSpec,
  ) {
    this.d = g.diagnostics;
  }

  private all<K extends A.Decl["kind"]>(kind: K): DeclOf<K>[] {
    return this.spec.decls.filter((d): d is DeclOf<K> => d.kind === kind);
  }

  private one<K extends A.Decl["kind"]>(kind: K, what: string, required: boolean, example?: string): DeclOf<K> | null {
    const list = this.all(kind);
    if (list.length === 0) {
      if (required) this.d.error("E0501", `the spec has no ${what}${example ? `; add one, e.g. '${example}'` : ""}`, this.fileSpan());
      return null;
    }
    for (const extra of list.slice(1)) this.d.error("E0502", `a spec has one ${what}; this is a second one`, extra.span, [{ message: "the first one", span: list[0]!.span }]);
    return list[0]!;
  }

  private fileSpan(): Span {
    return { file: this.spec.file, line: 1, column: 1, start: 0, end: 0 };
  }

  /** Registers a top-level name; false (and E0202) when it is taken. */
  private claim(name: A.Named, what: string): boolean {
    const prev = this.g.topNames.get(name.name);
    if (prev) {
      this.d.error("E0202", `'${name.name}' is already defined`, name.span, [{ message: "first defined here", span: prev }]);
      return false;
    }
    this.g.topNames.set(name.name, name.span);
    void what;
    return true;
  }

  run(): IR.Isa | null {
    const isaDecl = this.one("isa", "'isa NAME;' declaration", true);
    this.constants();
    this.memory();
    this.registers();
    const fnDecls = this.functionSignatures();
    this.banked();
    this.hardwires();
    const privilege = this.privilege();
    this.causes();
    const trapEntryFn = this.trapEntrySignature();
    for (const o of this.all("operand")) if (this.claim(o.name, "operand kind")) this.g.operandKinds.set(o.name.name, o);
    for (const f of this.all("format")) if (this.claim(f.name, "format")) this.g.formats.set(f.name.name, f);

    const pcs = this.g.elements.filter((e) => e.isPc);
    if (pcs.length === 0) this.d.error("E0501", "no register is marked 'pc' (the program counter): e.g. 'register PC: bits(16) user pc;'", this.fileSpan());
    // The note points at the first pc, so the author sees both registers and can drop one 'pc'.
    for (const extra of pcs.slice(1)) this.d.error("E0502", `only one register is the program counter; '${extra.name}' is a second one: remove 'pc' from one of them`, extra.span, [{ message: `the first one, '${pcs[0]!.name}'`, span: pcs[0]!.span }]);
    const pc = pcs[0];
    if (pc && (pc.count !== null || pc.width !== this.g.vaddrWidth) && this.g.memory) {
      this.d.error("E0505", `the program counter must be one bits(${this.g.vaddrWidth}) register, as wide as a virtual address`, pc.span);
    }

    // Bodies, in declaration order; ids were assigned with the signatures.
    const callGraph = new Map<string, Set<string>>();
    for (const f of fnDecls) this.functionBody(f, callGraph);
    const trapEntry = trapEntryFn !== null ? this.trapEntryBody(trapEntryFn, callGraph) : null;
    const tick = this.tick(callGraph);
    const instructions = this.instructions(callGraph);
    this.recursion(callGraph);
    const overlaps = this.overlaps(instructions);
    checkOverlaps(this.g, instructions, overlaps);
    const configs = privilege ? checkConfigs(this.g, this.all("config"), privilege) : [];
    const expectations = checkExpectations(this.g, this.all("expect"), instructions, configs);
    const undefinedCauses = this.all("cause").filter((c) => c.isUndefined);
    if (undefinedCauses.length === 0) this.d.error("E0501", "no cause is marked 'undefined' (raised when no encoding matches): e.g. 'cause illegal = 2 undefined;'", this.fileSpan());
    for (const extra of undefinedCauses.slice(1)) this.d.error("E0502", "only one cause is raised for undefined instructions: remove 'undefined' from one of them", extra.span, [{ message: "the first one", span: undefinedCauses[0]!.span }]);
    const undefinedCause = undefinedCauses[0] ? this.g.causes.get(undefinedCauses[0].name.name)?.id ?? -1 : -1;
    if (undefinedCause >= 0) this.g.used.add(`cause:${undefinedCauses[0]!.name.name}`);
    this.unused();

    if (this.d.hasErrors || !isaDecl || !this.g.memory || !pc || !privilege || !trapEntry) return null;
    const translate = this.g.functions.get("translate");
    return {
      name: isaDecl.name.name,
      title: isaDecl.title,
      file: this.spec.file,
      memory: this.g.memory,
      vaddrWidth: this.g.vaddrWidth,
      state: this.g.elements,
      pc: pc.id,
      banked: [...this.g.banked.values()].map((b) => ({ name: b.name, width: b.width, role: this.g.elements[b.banks[0]?.element ?? 0]?.role ?? "user", selector: b.selector, banks: b.banks })),
      privilege,
      functions: this.functionsIr,
      translate: translate?.decl.isTranslate ? translate.id : null,
      causes: [...this.g.causes.values()],
      undefinedCause,
      trapEntry,
      tick,
      instructions,
      overlaps,
      configs,
      expectations,
    };
  }

  // ------------------------------------------------------------ constants, memory, state

  private constants(): void {
    for (const c of this.all("const")) {
      if (!this.claim(c.name, "constant")) continue;
      const v = evalConst(this.g, c.value);
      if (!v) continue;
      let width = v.width;
      if (c.type) {
        if (c.type.kind === "bool") {
          this.d.error("E0303", "a constant is a bit vector", c.type.span);
          continue;
        }
        const w = evalNat(this.g, c.type.width, "a width");
        if (w === null) continue;
        if ((v.width !== null && v.width !== w) || !fits(v.value, w)) {
          this.d.error("E0305", `${c.name.name} = ${v.value} does not fit bits(${w})`, c.value.span);
          continue;
        }
        width = w;
      }
      this.g.consts.set(c.name.name, { value: width === null ? v.value : mask(v.value, width), width, span: c.span });
    }
  }

  private memory(): void {
    const m = this.one("memory", "'memory' declaration", true, "memory MEM: bits(8)[65536], little, fetch 8;");
    if (!m) return;
    this.claim(m.name, "memory");
    const unit = evalNat(this.g, m.unitWidth, "a width");
    const size = evalConst(this.g, m.size);
    const fetch = evalNat(this.g, m.fetchUnit, "a fetch unit");
    if (unit === null || size === null || fetch === null) return;
    if (size.value < 2n || (size.value & (size.value - 1n)) !== 0n) {
      this.d.error("E0503", `memory size must be a power of two (it is 2^addressbits units), not ${size.value}`, m.size.span);
      return;
    }
    if (fetch % unit !== 0 || fetch === 0) {
      this.d.error("E0503", `the fetch unit (${fetch} bits) must be a whole number of memory units (${unit} bits)`, m.fetchUnit.span);
      return;
    }
    const addrWidth = size.value.toString(2).length - 1;
    this.g.memory = { name: m.name.name, unitWidth: unit, addrWidth, endian: m.endian, fetchUnit: fetch, span: m.span };
    this.g.vaddrWidth = addrWidth;
  }

  private addElement(e: Omit<IR.StateElement, "id">): number {
    const id = this.g.elements.length;
    this.g.elements.push({ ...e, id });
    this.g.elementByName.set(e.name, id);
    return id;
  }

  private registers(): void {
    for (const r of this.all("register")) {
      if (!this.claim(r.name, "register")) continue;
      if (r.type.kind !== "bits") {
        this.d.error("E0505", "a register holds bits(N)", r.type.span);
        continue;
      }
      const width = evalNat(this.g, r.type.width, "a width");
      const count = r.count ? evalNat(this.g, r.count, "a register count") : null;
      if (width === null || (r.count && count === null)) continue;
      if (width < 1 || (count !== null && count < 1)) {
        this.d.error("E0505", "a register needs at least one bit and a register file at least one entry", r.span);
        continue;
      }
      const fields = new Map<string, { hi: number; lo: number }>();
      for (const f of r.fields) {
        if (f.hi < f.lo || f.hi >= width) this.d.error("E0505", `field ${f.name}[${f.hi}:${f.lo}] is outside bits(${width})`, f.span);
        else if (fields.has(f.name)) this.d.error("E0202", `field '${f.name}' is declared twice`, f.span);
        else fields.set(f.name, { hi: f.hi, lo: f.lo });
      }
      let reset = 0n;
      if (r.reset) {
        const v = evalConst(this.g, r.reset);
        if (v && (!fits(v.value, width) || (v.width !== null && v.width !== width))) this.d.error("E0305", `reset value does not fit bits(${width})`, r.reset.span);
        else if (v) reset = mask(v.value, width);
      }
      this.addElement({ name: r.name.name, role: r.role, width, count, isPc: r.isPc, reset, fields, bankOf: null, span: r.span });
    }
  }

  private banked(): void {
    for (const b of this.all("banked")) {
      if (!this.claim(b.name, "banked register")) continue;
      if (b.type.kind !== "bits") continue;
      const width = evalNat(this.g, b.type.width, "a width");
      if (width === null) continue;
      const lowerer = new BodyLowerer(this.g, { stateAccess: true, nextPc: false, bareReturn: false });
      const selector = lowerer.expr(b.selector, null);
      if (!selector) continue;
      const sw = IR.widthOf(selector);
      if (sw === 0) {
        this.d.error("E0507", "a bank selector is a bit vector (a register or field)", b.selector.span);
        continue;
      }
      const banks: { element: number; values: bigint[] | null }[] = [];
      const seen = new Set<bigint>();
      let defaults = 0;
      for (const bank of b.banks) {
        const values: bigint[] = [];
        for (const v of bank.values ?? []) {
          const c = evalConst(this.g, v);
          if (!c) continue;
          if ((c.width !== null && c.width !== sw) || !fits(c.value, sw)) this.d.error("E0507", `bank value does not fit the selector's bits(${sw})`, v.span);
          const mv = mask(c.value, sw);
          if (seen.has(mv)) this.d.error("E0507", `selector value ${mv} is listed for two banks; list each value in one bank only`, v.span);
          seen.add(mv);
          values.push(mv);
        }
        if (bank.values === null) defaults++;
        const name = `${b.name.name}_${bank.name.name}`;
        if (this.g.topNames.has(name)) {
          this.d.error("E0202", `bank storage '${name}' clashes with another name`, bank.name.span);
          continue;
        }
        this.g.topNames.set(name, bank.name.span);
        const element = this.addElement({ name, role: b.role, width, count: null, isPc: false, reset: 0n, fields: new Map(), bankOf: b.name.name, span: bank.span });
        banks.push({ element, values: bank.values === null ? null : values });
      }
      if (defaults > 1) this.d.error("E0507", "only one bank may be the default '_'", b.span);
      if (defaults === 0 && sw <= 16 && seen.size < 2 ** sw) {
        this.d.error("E0507", `banks cover ${seen.size} of ${2 ** sw} selector values; add a default bank 'NAME = _;'`, b.span);
      }
      this.g.banked.set(b.name.name, { name: b.name.name, width, selector, banks, span: b.span });
    }
  }

  private hardwires(): void {
    for (const h of this.all("hardwire")) {
      let target = h.target;
      let fieldName: string | null = null;
      if (target.kind === "field") {
        fieldName = target.field.name;
        target = target.base;
      }
      let element: number | undefined;
      let index: bigint | null = null;
      if (target.kind === "name") element = this.g.elementByName.get(target.name);
      else if (target.kind === "index" && target.base.kind === "name") {
        element = this.g.elementByName.get(target.base.name);
        const c = evalConst(this.g, target.index);
        if (!c) continue;
        index = c.value;
      }
      const el = element !== undefined ? this.g.elements[element]! : undefined;
      if (!el || (el.count === null) !== (index === null) || (index !== null && index >= BigInt(el.count!))) {
        this.d.error("E0207", "hardwire a register, a register-file entry (X[0]) or a field of one", h.target.span);
        continue;
      }
      const f = fieldName ? el.fields.get(fieldName) : { hi: el.width - 1, lo: 0 };
      if (!f) {
        this.d.error("E0203", `register '${el.name}' has no field '${fieldName}'`, h.target.span);
        continue;
      }
      const v = evalConst(this.g, h.value);
      if (!v) continue;
      if (!fits(v.value, f.hi - f.lo + 1)) {
        this.d.error("E0305", `${v.value} does not fit the ${f.hi - f.lo + 1} hard-wired bits`, h.value.span);
        continue;
      }
      this.g.hardwires.push({ element: el.id, index, hi: f.hi, lo: f.lo, value: mask(v.value, f.hi - f.lo + 1) });
    }
  }

  private privilege(): IR.Privilege | null {
    const p = this.one("privilege", "'privilege' declaration (the mode element and its levels)", true, "privilege MODE { supervisor = 0; user = 1; }");
    if (!p) return null;
    const lowerer = new BodyLowerer(this.g, { stateAccess: true, nextPc: false, bareReturn: false });
    const element = lowerer.expr(p.element, null);
    if (!element) return null;
    const w = IR.widthOf(element);
    if (w === 0 || !readsOnlyControl(element, this.g)) {
      this.d.error("E0504", "the privilege mode is a control register or a field of one: declare the register 'control'", p.element.span);
      return null;
    }
    if (p.levels.length < 2) {
      this.d.error("E0504", "a privilege declaration names at least two levels, most privileged first", p.span);
      return null;
    }
    const seen = new Map<bigint, string>();
    const levels: IR.PrivilegeLevel[] = [];
    for (const l of p.levels) {
      const values: bigint[] = [];
      for (const v of l.values) {
        const c = evalConst(this.g, v);
        if (!c) continue;
        if ((c.width !== null && c.width !== w) || !fits(c.value, w)) {
          this.d.error("E0504", `level value does not fit the mode's bits(${w})`, v.span);
          continue;
        }
        const mv = mask(c.value, w);
        const other = seen.get(mv);
        if (other) this.d.error("E0504", `mode value ${mv} is listed for both '${other}' and '${l.name.name}'`, v.span);
        seen.set(mv, l.name.name);
        values.push(mv);
      }
      if (levels.some((x) => x.name === l.name.name)) this.d.error("E0202", `level '${l.name.name}' is declared twice`, l.name.span);
      levels.push({ name: l.name.name, values, span: l.span });
    }
    return { element, levels, span: p.span };
  }

  private causes(): void {
    const codes = new Map<bigint, string>();
    for (const c of this.all("cause")) {
      if (!this.claim(c.name, "trap cause")) continue;
      const v = evalConst(this.g, c.code);
      if (!v) continue;
      if (v.value < 0n) {
        this.d.error("E0506", "a cause code is not negative", c.code.span);
        continue;
      }
      const other = codes.get(v.value);
      if (other) this.d.error("E0506", `causes '${other}' and '${c.name.name}' share code ${v.value}; give each cause its own code`, c.code.span);
      codes.set(v.value, c.name.name);
      this.g.causes.set(c.name.name, { id: this.g.causes.size, name: c.name.name, code: v.value, isMemory: c.isMemory, span: c.span });
    }
  }

  // ------------------------------------------------------------ functions

  private paramTypes(params: readonly A.Param[]): IR.Type[] | null {
    const lowerer = new BodyLowerer(this.g, { stateAccess: true, nextPc: false, bareReturn: false });
    const out: IR.Type[] = [];
    for (const p of params) {
      const t = lowerer.typeRef(p.type);
      if (!t) return null;
      out.push(t);
    }
    return out;
  }

  private functionSignatures(): DeclOf<"function">[] {
    const ok: DeclOf<"function">[] = [];
    const lowerer = new BodyLowerer(this.g, { stateAccess: true, nextPc: false, bareReturn: false });
    for (const f of this.all("function")) {
      if (!this.claim(f.name, "function")) continue;
      const params = this.paramTypes(f.params);
      const result = f.result ? lowerer.typeRef(f.result) : null;
      if (!params || (f.result && !result)) continue;
      if (f.isTranslate) {
        const mem = this.g.memory;
        const [va, acc] = params;
        if (params.length !== 2 || va?.kind !== "bits" || acc?.kind !== "bits" || acc.width !== IR.ACCESS_WIDTH || result?.kind !== "bits" || (mem && result.width !== mem.addrWidth)) {
          this.d.error("E0506", `translate takes (vaddr: bits(V), access: bits(2)) and returns a physical address bits(${mem?.addrWidth ?? "P"})`, f.span);
          continue;
        }
        this.g.vaddrWidth = va.width;
      }
      const id = this.functionsIr.length;
      this.functionsIr.push(placeholderFunction(id, f.name.name, f.span));
      this.g.functions.set(f.name.name, { id, decl: f, params: f.params.map((p, i) => ({ name: p.name.name, type: params[i]! })), result });
      ok.push(f);
    }
    return ok;
  }

  private functionBody(f: DeclOf<"function">, callGraph: Map<string, Set<string>>): void {
    const sig = this.g.functions.get(f.name.name)!;
    const lowerer = new BodyLowerer(this.g, { stateAccess: true, nextPc: false, bareReturn: false, result: sig.result });
    const params = sig.params.map((p) => ({ name: p.name, type: p.type, slot: lowerer.declareParam(p.name, p.type) }));
    const body = lowerer.block(f.body);
    if (sig.result && !alwaysEnds(body)) this.d.error("E0308", `'${f.name.name}' can reach its end without returning a ${sig.result.kind === "bits" ? `bits(${sig.result.width})` : "bool"}; end every path with 'return', 'trap' or 'halt'`, f.body.span);
    callGraph.set(f.name.name, lowerer.callees);
    this.functionsIr[sig.id] = { id: sig.id, name: f.name.name, params, result: sig.result, body, slots: lowerer.slotCount, span: f.span };
  }

  private trapEntrySignature(): DeclOf<"trapEntry"> | null {
    const t = this.one("trapEntry", "'trap entry(cause: bits(N)[, info: bits(M)]) { ... }' block", true);
    if (!t) return null;
    const params = this.paramTypes(t.params);
    if (!params) return null;
    if (params.length < 1 || params.length > 2 || params.some((p) => p.kind !== "bits")) {
      this.d.error("E0506", "the trap entry takes (cause: bits(N)) or (cause: bits(N), info: bits(M))", t.span);
      return null;
    }
    const causeWidth = (params[0] as { width: number }).width;
    const infoWidth = params.length === 2 ? (params[1] as { width: number }).width : null;
    for (const c of this.g.causes.values()) {
      if (!fits(c.code, causeWidth) || c.code >= 1n << BigInt(causeWidth)) this.d.error("E0506", `cause '${c.name}' = ${c.code} does not fit the trap entry's bits(${causeWidth}) cause parameter; widen the parameter or use a smaller code`, c.span);
    }
    this.g.trapEntry = { decl: t, causeWidth, infoWidth };
    return t;
  }

  private trapEntryBody(t: DeclOf<"trapEntry">, callGraph: Map<string, Set<string>>): IR.TrapEntry | null {
    const te = this.g.trapEntry!;
    const lowerer = new BodyLowerer(this.g, { stateAccess: true, nextPc: true, bareReturn: true });
    const params = t.params.map((p, i) => {
      const type = IR.bits(i === 0 ? te.causeWidth : te.infoWidth!);
      return { name: p.name.name, type, slot: lowerer.declareParam(p.name.name, type) };
    });
    const body = lowerer.block(t.body);
    callGraph.set("<trap entry>", lowerer.callees);
    const id = this.functionsIr.length;
    this.functionsIr.push({ id, name: "trap entry", params, result: null, body, slots: lowerer.slotCount, span: t.span });
    return { causeWidth: te.causeWidth, infoWidth: te.infoWidth, fn: id, span: t.span };
  }

  private tick(callGraph: Map<string, Set<string>>): number | null {
    const t = this.one("tick", "'tick' block", false);
    if (!t) return null;
    const lowerer = new BodyLowerer(this.g, { stateAccess: true, nextPc: false, bareReturn: true });
    const body = lowerer.block(t.body);
    callGraph.set("<tick>", lowerer.callees);
    const id = this.functionsIr.length;
    this.functionsIr.push({ id, name: "tick", params: [], result: null, body, slots: lowerer.slotCount, span: t.span });
    return id;
  }

  // ------------------------------------------------------------ instructions

  private instructions(callGraph: Map<string, Set<string>>): IR.Instruction[] {
    const out: IR.Instruction[] = [];
    for (const decl of this.all("instruction")) {
      if (!this.claim(decl.name, "instruction")) continue;
      const { encodings, operands, partial, broken } = instructionEncodings(this.g, decl);
      const lowerer = new BodyLowerer(this.g, { operands, partialOperands: partial, brokenOperands: broken, stateAccess: true, nextPc: true, bareReturn: true });
      const body = lowerer.block(decl.semantics);
      callGraph.set(`instruction ${decl.name.name}`, lowerer.callees);
      out.push({ id: out.length, name: decl.name.name, title: decl.title, encodings, operands, body, slots: lowerer.slotCount, span: decl.span });
    }
    return out;
  }

  private overlaps(instructions: readonly IR.Instruction[]): number[][] {
    const byName = new Map(instructions.map((i) => [i.name, i.id]));
    const groups: number[][] = [];
    for (const o of this.all("overlap")) {
      const ids: number[] = [];
      for (const n of o.names) {
        const id = byName.get(n.name);
        if (id === undefined) this.d.error("E0407", `'${n.name}' is not an instruction`, n.span);
        else ids.push(id);
      }
      if (o.names.length < 2) this.d.error("E0407", "an overlap declaration names at least two instructions, the one that wins first", o.span);
      groups.push(ids);
    }
    return groups;
  }

  private recursion(callGraph: Map<string, Set<string>>): void {
    const state = new Map<string, "active" | "done">();
    const visit = (name: string, path: string[]): void => {
      if (state.get(name) === "done") return;
      if (state.get(name) === "active") {
        const f = this.g.functions.get(name);
        this.d.error("E0208", `function '${name}' calls itself (${[...path.slice(path.indexOf(name)), name].join(" -> ")}); semantics must be recursion-free (use a bounded 'for' loop instead)`, f?.decl.name.span ?? this.fileSpan());
        return;
      }
      state.set(name, "active");
      for (const c of callGraph.get(name) ?? []) visit(c, [...path, name]);
      state.set(name, "done");
    };
    for (const name of callGraph.keys()) visit(name, []);
  }

  private unused(): void {
    for (const [name, f] of this.g.functions) {
      if (!f.decl.isTranslate && !this.g.used.has(`fn:${name}`)) this.d.error("W0701", `function '${name}' is never called`, f.decl.name.span);
    }
    for (const [name, o] of this.g.operandKinds) if (!this.g.used.has(`operand:${name}`)) this.d.error("W0701", `operand kind '${name}' is never used in a syntax`, o.name.span);
    for (const [name, f] of this.g.formats) if (!this.g.used.has(`format:${name}`)) this.d.error("W0701", `format '${name}' is never used in an encoding`, f.name.span);
    for (const [name, c] of this.g.consts) if (!this.g.used.has(name)) this.d.error("W0701", `constant '${name}' is never used`, c.span);
    for (const c of this.g.causes.values()) if (!this.g.used.has(`cause:${c.name}`)) this.d.error("W0701", `trap cause '${c.name}' is never raised`, c.span);
  }
}

function placeholderFunction(id: number, name: string, span: Span): IR.Function {
  return { id, name, params: [], result: null, body: [], slots: 0, span };
}

/** Whether every path through the statements ends in return, trap or halt. */
function alwaysEnds(stmts: readonly IR.Stmt[]): boolean {
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  switch (last.kind) {
    case "return":
    case "trap":
    case "halt":
      return true;
    case "if":
      return alwaysEnds(last.then) && alwaysEnds(last.else);
    case "either":
      return last.branches.every(alwaysEnds);
    default:
      return false;
  }
}

function readsOnlyControl(e: IR.Expr, g: Globals): boolean {
  if (e.kind === "reg") return g.elements[e.element]!.role === "control";
  if (e.kind === "slice") return readsOnlyControl(e.value, g);
  if (e.kind === "concat") return e.parts.every((p) => p.kind === "const" || p.kind === "slice" && readsOnlyControl(p, g));
  return false;
}
