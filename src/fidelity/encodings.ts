/**
 * The encoding check: random forms of every instruction (forms.ts), in both directions.
 *   popek -> GNU: popek assembles its own text of the form; objdump disassembles those bytes; they
 *     must be a valid instruction to objdump, and its text must say the same as popek's.
 *   GNU -> popek: GNU as assembles popek's text; the bytes must be popek's, and popek must
 *     disassemble them to the same text.
 * Each form sits in a 16-byte slot at its own address, so one as/objdump run checks a whole batch.
 * Where objdump only spells an instruction differently (an alias such as 'pop' for 'ldm sp!', or a
 * rotated immediate shown expanded) while the bytes agree both ways, that is a notation difference:
 * counted and shown, not a mismatch, because GNU as reads popek's text as the same instruction.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as IR from "../ir/ir.js";
import { encodeInstruction, wordToUnits } from "../machine/assembler.js";
import { Decoder } from "../machine/decoder.js";
import { formatInstruction } from "../machine/disassembler.js";
import { encodingOf, randomForm, wordOf, type Form } from "../programs/forms.js";
import type { Peer } from "./peer.js";
import { pcrelFields } from "./program.js";
import { Random } from "../programs/random.js";
import { canonical, stripObjdump } from "./syntax-compare.js";
import { runTool, runToolOk, Workdir } from "./tools.js";

const SLOT = 16;
const BASE = 0x1000n;

export interface EncodingOptions {
  readonly runs: number;
  readonly seed: number;
  readonly batch?: number;
}

/** Counts and one example, by instruction. */
export type Tally = Map<string, { count: number; example: string }>;

export interface EncodingMismatch {
  readonly instruction: string;
  readonly word: string;
  readonly popekText: string;
  readonly problem: string;
}

export interface EncodingReport {
  readonly peer: string;
  readonly forms: number;
  readonly mismatches: readonly EncodingMismatch[];
  /** Forms whose bytes agree both ways but objdump spells differently, by instruction. */
  readonly notation: Tally;
  /** Forms GNU as refuses to assemble (UNPREDICTABLE operands, spellings it does not read) while
   * objdump reads popek's bytes exactly as popek's text, by instruction. */
  readonly refused: Tally;
  /** Forms GNU as encodes differently, where objdump prints both encodings alike, by instruction. */
  readonly alternative: Tally;
  readonly seconds: number;
}

interface Item {
  readonly form: Form;
  readonly pc: bigint;
  /** popek's text at pc (absolute targets) and the same with targets written '.+D' for GNU as. */
  readonly text: string;
  readonly gnuText: string;
  /** popek's bytes for its own text (its assembler may pick a shorter encoding than the form's). */
  readonly units: readonly bigint[] | null;
}

const hexUnits = (u: readonly bigint[]) => u.map((x) => x.toString(16).padStart(2, "0")).join(" ");

/** Objdump's lines: address -> instruction text. */
function parseObjdump(out: string): Map<bigint, string> {
  const lines = new Map<bigint, string>();
  for (const line of out.split("\n")) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f ]+)\t(.*)$/.exec(line);
    if (m) lines.set(BigInt(`0x${m[1]}`), m[3]!.replace(/\t/g, " "));
  }
  return lines;
}

function lastNot(list: readonly bigint[], v: bigint): number {
  for (let i = list.length - 1; i >= 0; i--) if (list[i] !== v) return i;
  return -1;
}

/** How each objdump says that bytes are no instruction it knows. */
const INVALID = /\(bad\)|^\.(?:word|short|\d*byte|insn|inst)\b|undefined|<und>/i;

export class EncodingCheck {
  readonly decoder: Decoder;

  constructor(
    readonly isa: IR.Isa,
    readonly peer: Peer,
    private readonly work: Workdir,
  ) {
    this.decoder = new Decoder(isa);
  }

  /** Whether the peer leaves this instruction, or this one of its encodings ('NAME/k'), out. */
  private excluded(form: Form): boolean {
    const name = this.isa.instructions[form.instruction]!.name;
    return this.peer.encodingExcluded.has(name) || this.peer.encodingExcluded.has(`${name}/${form.encoding + 1}`);
  }

  private objcopy(): { cmd: string; args: string[] } {
    return { cmd: this.peer.objdump.cmd.replace(/objdump$/, "objcopy"), args: [] };
  }

  private item(form: Form, pc: bigint): Item {
    const enc = encodingOf(this.isa, form);
    const d = this.decoder.decodeWord(wordOf(this.isa, form), enc.length)!;
    const text = formatInstruction(d, { pc, isa: this.isa });
    // Branch targets as offsets from the instruction ('.+D'), so GNU as needs no relocation.
    const symbols = new Map<bigint, string>();
    for (const { field, format } of pcrelFields(enc)) {
      const raw = d.operands.get(field.name) ?? 0n;
      const base = format.fromNext ? pc + BigInt(d.units) : pc + BigInt(format.bias);
      const target = BigInt.asUintN(this.isa.vaddrWidth, base + BigInt.asIntN(field.width, raw));
      const delta = BigInt.asIntN(this.isa.vaddrWidth, target - pc);
      symbols.set(target, delta < 0n ? `.-${-delta}` : `.+${delta}`);
    }
    const gnuText = symbols.size ? formatInstruction(d, { pc, isa: this.isa, symbols }) : text;
    const enc2 = encodeInstruction(this.isa, text, pc, new Map());
    const units = typeof enc2 === "string" ? null : wordToUnits(this.isa, enc2.word, enc2.encoding.length);
    return { form, pc, text, gnuText, units };
  }

  /** Checks one batch of forms; returns mismatches and notation differences. */
  checkBatch(forms: readonly Form[], mismatches: EncodingMismatch[], notation: Tally, refused: Tally, alternative: Tally): void {
    const items = forms.map((f, k) => this.item(f, BASE + BigInt(k * SLOT)));
    const name = (it: Item) => this.isa.instructions[it.form.instruction]!.name;
    const word = (it: Item) => hexUnits(wordToUnits(this.isa, wordOf(this.isa, it.form), encodingOf(this.isa, it.form).length));
    const fail = (it: Item, problem: string) => mismatches.push({ instruction: name(it), word: word(it), popekText: it.text, problem });
    const fill = this.peer.fill ? `, ${this.peer.fill}` : "";
    const slotLine = (k: number) => `  .org ${k * SLOT}${fill}`;
    const usable = items.filter((it) => {
      if (this.excluded(it.form)) return false;
      if (it.units) return true;
      fail(it, "popek cannot assemble its own text");
      return false;
    });

    // popek -> GNU
    const a = usable.map((it, k) => `${slotLine(items.indexOf(it))}\n  ${this.peer.instructionLine(it.units!)}`);
    this.work.write("enc-a.s", `  .text\n${a.join("\n")}\n`);
    runToolOk(this.peer.as, ["enc-a.s", "-o", "enc-a.o"], this.work.path);
    const lines = parseObjdump(runToolOk(this.peer.objdump, ["--adjust-vma", `0x${BASE.toString(16)}`, "enc-a.o"], this.work.path).toString());
    const objdumpText = new Map<Item, string>();
    for (const it of usable) {
      const t = lines.get(it.pc);
      if (t === undefined || INVALID.test(t)) fail(it, `objdump does not read popek's bytes as an instruction: '${t ?? "(nothing)"}'`);
      else objdumpText.set(it, stripObjdump(t));
    }

    // GNU -> popek. A line GNU as refuses is taken out of the batch; it agrees only when objdump's
    // reading of popek's bytes says exactly what popek's text says (GNU as refuses many
    // UNPREDICTABLE operand combinations and some of objdump's own spellings).
    const same = (it: Item) => canonical(this.peer.normalize(objdumpText.get(it)!)) === canonical(this.peer.normalize(it.text));
    let live = usable.filter((it) => objdumpText.has(it));
    let bin: Buffer | null = null;
    let gnuLines = new Map<bigint, string>();
    for (let attempt = 0; attempt < 16 && live.length; attempt++) {
      const src = live.map((it) => `${slotLine(items.indexOf(it))}\n  ${it.gnuText}`);
      this.work.write("enc-b.s", `  .text\n${this.peer.asHeader}\n${src.join("\n")}\n`);
      const r = runTool(this.peer.as, ["enc-b.s", "-o", "enc-b.o"], this.work.path);
      const bad = new Set<number>();
      for (const m of r.stderr.matchAll(/enc-b\.s:(\d+): (?:Error|Warning): (.*)/g)) {
        // Line 1 '.text', line 2 the header, then '.org' and the instruction per item.
        const k = Math.floor((Number(m[1]) - 4) / 2);
        const it = live[k];
        if (!it || bad.has(k)) continue;
        bad.add(k);
        if (same(it)) {
          const n = refused.get(name(it)) ?? { count: 0, example: `'${it.gnuText}': ${m[2]}` };
          refused.set(name(it), { count: n.count + 1, example: n.example });
        } else {
          fail(it, `GNU as rejects popek's text (${m[2]}) and objdump reads popek's bytes as '${objdumpText.get(it)}'`);
        }
      }
      if (r.status === 0 && bad.size === 0) {
        runToolOk(this.objcopy(), ["-O", "binary", "-j", ".text", "enc-b.o", "enc-b.bin"], this.work.path);
        bin = readFileSync(join(this.work.path, "enc-b.bin"));
        gnuLines = parseObjdump(runToolOk(this.peer.objdump, ["--adjust-vma", `0x${BASE.toString(16)}`, "enc-b.o"], this.work.path).toString());
        break;
      }
      if (bad.size === 0) throw new Error(`GNU as failed on the batch:\n${r.stderr}`);
      live = live.filter((_, k) => !bad.has(k));
    }
    if (!bin) return;
    const fillByte = BigInt(this.peer.fill);
    for (const it of live) {
      const off = items.indexOf(it) * SLOT;
      const got = [...bin.subarray(off, off + SLOT)].map(BigInt);
      const want = [...it.units!, ...Array<bigint>(SLOT - it.units!.length).fill(fillByte)].slice(0, got.length);
      if (got.join() !== want.join()) {
        // Another encoding of the same instruction (x86's 83 for 81, the EAX forms, no displacement
        // for a zero one) when GNU's own disassembler prints GNU's bytes as it prints popek's; or
        // GNU as's own choice for a text whose bytes objdump reads exactly as popek does ('int 3'
        // becomes INT3, CC, though objdump prints CD 03 as 'int 0x3': SDM Vol 2A INT n).
        const theirs = gnuLines.get(it.pc);
        const alike = theirs !== undefined && canonical(this.peer.normalize(stripObjdump(theirs))) === canonical(this.peer.normalize(objdumpText.get(it)!));
        if (alike || same(it)) {
          const n = alternative.get(name(it)) ?? { count: 0, example: `'${it.text}': popek ${hexUnits(it.units!)}, GNU ${hexUnits(got.slice(0, lastNot(got, fillByte) + 1))}` };
          alternative.set(name(it), { count: n.count + 1, example: n.example });
          continue;
        }
        fail(it, `GNU as assembles popek's text to ${hexUnits(got.slice(0, Math.max(it.units!.length, lastNot(got, fillByte) + 1)))}, popek to ${hexUnits(it.units!)}`);
        continue;
      }
      const back = this.decoder.decodeWord(wordOf(this.isa, it.form), encodingOf(this.isa, it.form).length);
      if (!back || formatInstruction(back, { pc: it.pc, isa: this.isa }) !== it.text) {
        fail(it, "popek does not disassemble GNU's bytes to its own text");
        continue;
      }
      if (!same(it)) {
        const n = notation.get(name(it)) ?? { count: 0, example: `popek '${it.text}', objdump '${objdumpText.get(it)}'` };
        notation.set(name(it), { count: n.count + 1, example: n.example });
      }
    }
  }

  campaign(options: EncodingOptions): EncodingReport {
    const started = performance.now();
    const rng = new Random(options.seed);
    const mismatches: EncodingMismatch[] = [];
    const notation: Tally = new Map();
    const refused: Tally = new Map();
    const alternative: Tally = new Map();
    const all = this.isa.instructions.flatMap((i) => i.encodings.map((_, k) => [i.id, k] as const)).filter(([i, k]) => !this.excluded({ instruction: i, encoding: k, fields: new Map() }));
    const batch = options.batch ?? 256;
    let forms = 0;
    while (forms < options.runs) {
      const list: Form[] = [];
      while (list.length < Math.min(batch, options.runs - forms)) {
        // Every encoding in turn first, then at random.
        const [i, k] = forms + list.length < all.length ? all[forms + list.length]! : rng.pick(all);
        const f = randomForm(this.isa, this.decoder, rng, i, k);
        if (f) list.push(f);
        else if (forms + list.length < all.length) forms++;
      }
      this.checkBatch(list, mismatches, notation, refused, alternative);
      forms += list.length;
    }
    return { peer: this.peer.name, forms, mismatches, notation, refused, alternative, seconds: (performance.now() - started) / 1000 };
  }
}

/** Runs an encoding campaign in a scratch directory. */
export function encodingCampaign(isa: IR.Isa, peer: Peer, options: EncodingOptions): EncodingReport {
  const work = new Workdir();
  try {
    return new EncodingCheck(isa, peer, work).campaign(options);
  } finally {
    work.dispose();
  }
}
