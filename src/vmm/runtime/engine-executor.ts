/**
 * Direct execution on the block-compiling engine (src/engine). Direct execution and the patcher
 * share one block cache: a patched block is just a block translated with its problem instructions
 * (the analyzer's verdict, through the generated VMM's `problems`) compiled to raise the spec's
 * undefined-instruction trap at their own address, so nothing of them runs. Memory is never changed,
 * so the guest cannot see a patch; the originals go into a side table by physical address, which a
 * write into the code drops together with the engine's blocks (self-modifying code).
 *
 * The guest's translation and time are compiled into the blocks like the bare machine's (a direct
 * ISA, see direct-isa.ts), so a load costs what it costs on the bare machine and a quiet tick folds
 * into the engine's step counting; only where the spec does not allow that does the engine call the
 * VMM's translate (through a translation cache) and tick instead.
 */
import { Engine } from "../../engine/engine.js";
import { fromLimbs, toLimbs } from "../../engine/layout.js";
import { functionFootprint } from "../../ir/footprint.js";
import type * as IR from "../../ir/ir.js";
import { TrapSignal } from "../../machine/interpreter.js";
import type { MachineState } from "../../machine/state.js";
import { EngineMemory } from "./engine-memory.js";
import type { DirectExecutor, DirectRun, Patch, PatchTable } from "./executor.js";
import { directIsa, type DirectIsa } from "./direct-isa.js";
import { count } from "./stats.js";
import { TranslationCache } from "./translation-cache.js";
import type { VirtualMachine } from "./vm.js";

/** The engine patcher's side table: each patched instruction's original, by physical address. */
class EnginePatches implements PatchTable {
  private readonly byStart = new Map<bigint, Patch>();
  /** Start of the patch covering each physical unit. */
  private readonly byUnit = new Map<bigint, bigint>();

  constructor(
    private readonly vm: VirtualMachine,
    private readonly addrWidth: number,
  ) {}

  patchAt(pa: bigint): Patch | undefined {
    return this.byStart.get(pa);
  }

  /** The engine is translating a problem instruction at virtual pc: keep its original. */
  record(pa: bigint, p: Patch): void {
    if (this.byStart.has(pa)) return;
    this.byStart.set(pa, p);
    for (let u = 0; u < p.units; u++) this.byUnit.set(BigInt.asUintN(this.addrWidth, pa + BigInt(u)), pa);
    this.vm.stats.patched++;
  }

  /** A unit of code was written (the engine dropped the blocks fetched from it). */
  written(pa: bigint, units = 1): void {
    for (let u = 0; u < units; u++) {
      const start = this.byUnit.get(BigInt.asUintN(this.addrWidth, pa + BigInt(u)));
      if (start === undefined) continue;
      const p = this.byStart.get(start)!;
      this.byStart.delete(start);
      for (let k = 0; k < p.units; k++) this.byUnit.delete(BigInt.asUintN(this.addrWidth, start + BigInt(k)));
    }
  }
}

export class EngineExecutor implements DirectExecutor {
  readonly kind = "engine" as const;
  readonly engine: Engine;
  readonly memory: EngineMemory;
  readonly patches: EnginePatches | null;
  private readonly isa: IR.Isa;
  /**
   * The spec as the engine runs it: translate and tick compiled into the blocks, reading the guest's
   * values of the registers the allocator changes from shadows (see direct-isa.ts); null when the
   * engine calls the VMM's translate and tick instead (through `tlb` and its tick override).
   */
  readonly direct: DirectIsa | null;
  /** The VMM's translation, remembered while the guest runs (only without a direct ISA). */
  readonly tlb: TranslationCache | null;
  /** The registers the guest's translation reads, and their virtual values at the last run (only without a direct ISA). */
  private readonly translationInputs: readonly number[];
  private lastInputs: string | null = null;

  constructor(
    private readonly vm: VirtualMachine,
    patch: boolean,
    options: { readonly hooks?: boolean } = {},
  ) {
    const { vmm } = vm;
    const isa = (this.isa = vm.isa);
    this.direct = options.hooks ? null : directIsa(isa, vmm.DEPRIVILEGED);
    if (this.direct) {
      this.engine = new Engine(this.direct.isa);
      this.tlb = null;
      this.translationInputs = [];
    } else {
      const hooked = this.hooked();
      this.engine = hooked.engine;
      this.tlb = hooked.tlb;
      this.translationInputs = isa.translate === null ? [] : [...functionFootprint(isa, isa.translate).reads].sort((a, b) => a - b);
    }
    const engine = this.engine;
    const tlb = this.tlb;
    this.memory = new EngineMemory(engine.M);
    this.patches = patch ? new EnginePatches(vm, isa.memory.addrWidth) : null;
    const patches = this.patches;
    engine.onCodeWrite = (pa) => {
      const table = tlb !== null && tlb.tables.has(BigInt(pa));
      tlb?.clear();
      // The guest rewrote a table its translation read: blocks fetched through it may be stale.
      if (table) engine.invalidate();
      if (patches && !table) {
        vm.stats.invalidated++;
        patches.written(BigInt(pa));
      }
    };
    if (patches) {
      engine.patch = {
        select: (d, pc) => {
          if (!vmm.problems.has(d.instruction.name)) return false;
          const pa = vm.translateFetch(pc);
          if (pa !== null) patches.record(pa, { instruction: d.instruction.name, operands: d.operands, units: d.units });
          return true;
        },
        cause: isa.causes[isa.undefinedCause]!,
      };
    } else if (vmm.problems.size > 0) {
      // Not patching: note the problem instructions compiled to run directly (nothing replaced).
      const sites = new Set<bigint>();
      engine.patch = {
        select: (d, pc) => {
          if (!vmm.problems.has(d.instruction.name)) return false;
          const pa = vm.translateFetch(pc);
          if (pa !== null && !sites.has(pa)) {
            sites.add(pa);
            count(vm.stats.unpatched, d.instruction.name);
          }
          return false;
        },
        cause: isa.causes[isa.undefinedCause]!,
      };
    }
  }

  /** The engine calling the VMM's translate on every access (through a cache) and its tick before every instruction. */
  private hooked(): { engine: Engine; tlb: TranslationCache } {
    const { vm, isa } = this;
    const { vmm } = vm;
    const asSignal = (e: unknown): unknown => (e instanceof vmm.contract.Trap ? new TrapSignal(isa.causes[e.cause]!, e.info) : e);
    const tlb = new TranslationCache((va, access) => {
      try {
        return vmm.translate(vm.state, { nextPc: va, pcWritten: false }, va, access);
      } catch (e) {
        throw asSignal(e);
      }
    });
    // The translation is stable while the guest runs: blocks need no per-instruction fetch checks;
    // the engine is invalidated when the translation may have changed (see run, onCodeWrite).
    const engine = new Engine(isa, undefined, { translate: (va, access) => tlb.lookup(va, access), translateStable: true });
    const tick = vmm.TICK_NATIVE ? undefined : vmm.tick;
    if (tick) {
      // The guest's time advances on its virtual state; the real registers mirror it for the
      // instructions that read time directly.
      const { offset, limbs } = engine.layout;
      engine.tickOverride = () => {
        try {
          tick(vm.state, { nextPc: BigInt(engine.pc), pcWritten: false });
        } catch (e) {
          throw asSignal(e);
        } finally {
          for (const id of vmm.timing) {
            const L = limbs[id]!;
            vm.virtual.regs[id]!.forEach((v, i) => toLimbs(v, L).forEach((l, j) => (engine.R[offset[id]! + i * L + j] = l)));
          }
        }
      };
    }
    return { engine, tlb };
  }

  run(real: MachineState, budget: number): DirectRun {
    const { engine, isa } = this;
    const { offset, limbs } = engine.layout;
    const put = (id: number, values: readonly bigint[]): void => {
      const L = limbs[id]!;
      values.forEach((v, i) => toLimbs(v, L).forEach((l, j) => (engine.R[offset[id]! + i * L + j] = l)));
    };
    const tlb = this.tlb;
    if (tlb) {
      // The virtual control state may have changed since the last run (the dispatcher ran).
      tlb.clear();
      const inputs = this.translationInputs.map((id) => this.vm.virtual.regs[id]!.join(",")).join(";");
      if (inputs !== this.lastInputs) {
        // The guest's translation changed (the dispatcher ran its control state): translate blocks again.
        if (this.lastInputs !== null) engine.invalidate();
        this.lastInputs = inputs;
      }
      // The engine tells of writes into units it flagged: translated code, and the tables the cached
      // translations read (flagged here). (The VM's state does not exist yet when this is built.)
      this.vm.state.onTableRead ??= (pa) => {
        tlb.tables.add(pa);
        engine.M.markCode(Number(pa));
      };
    }
    isa.state.forEach((_, id) => put(id, real.regs[id]!));
    // The guest's values of the registers its translate and tick read that the allocator changed;
    // blocks specialized to other values fail their guards and are translated again.
    if (this.direct) for (const [id, shadow] of this.direct.shadows) put(shadow, this.vm.virtual.regs[id]!);
    engine.halted = false;
    const printed = engine.output.length;
    const r = engine.run({ maxSteps: budget, onTrap: () => "stop" });
    isa.state.forEach((_, id) => {
      const L = limbs[id]!;
      for (let i = 0; i < real.regs[id]!.length; i++) real.regs[id]![i] = fromLimbs(engine.R, offset[id]! + i * L, L);
    });
    for (const v of engine.output.splice(printed)) real.emit(v);
    // The guest's time ran on the real machine: it is the guest's.
    if (this.direct || this.vm.vmm.TICK_NATIVE) for (const id of this.vm.vmm.timing) this.vm.virtual.regs[id] = [...real.regs[id]!];
    if (r.status === "error") throw new Error(`VM ${this.vm.id}: ${r.message}`);
    const trap = r.status === "stopped" && r.last?.kind === "trap" ? r.last.trap : null;
    const halted = r.status === "halted";
    return { retired: trap || halted ? r.steps - 1 : r.steps, steps: r.steps, trap, halted };
  }
}
