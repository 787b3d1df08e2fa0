/**
 * Loads a spec and the files it includes, in include order, so the checker sees one list of
 * declarations. Each file is read once; an include cycle is an error at the include that closes it.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve, relative } from "node:path";
import type { Decl } from "./ast.js";
import { DiagnosticBag } from "./diagnostics.js";
import { parseIsa } from "./parse.js";
import { SourceStore, type Span } from "./source.js";

export interface LoadedSpec {
  /** The file named on the command line (as the user wrote it). */
  readonly file: string;
  readonly decls: readonly Decl[];
  readonly sources: SourceStore;
  readonly diagnostics: DiagnosticBag;
}

/** How a loader reads files; tests pass an in-memory map. */
export type ReadFile = (path: string) => string;

export function loadSpec(file: string, readFile: ReadFile = (p) => readFileSync(p, "utf8"), sources = new SourceStore()): LoadedSpec {
  const diagnostics = new DiagnosticBag();
  const decls: Decl[] = [];
  const done = new Set<string>();

  const visit = (path: string, display: string, stack: string[], from: Span | null): void => {
    const key = resolve(path);
    if (stack.includes(key)) {
      // The message names the whole cycle, back to the file it starts from, and says what to do.
      const cycle = [...stack.slice(stack.indexOf(key)), key].map((s) => relative(process.cwd(), s) || s);
      diagnostics.error("E0104", `include cycle: ${cycle.join(" -> ")}; remove one of these includes`, from!);
      return;
    }
    if (done.has(key)) return;
    done.add(key);
    let text: string;
    try {
      text = readFile(path);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((e as Error).message);
      const hint = from && (e as NodeJS.ErrnoException).code === "ENOENT" ? " (an include path is relative to the file that includes it)" : "";
      diagnostics.error("E0103", `cannot read '${display}': ${why}${hint}`, from ?? { file: display, line: 1, column: 1, start: 0, end: 0 });
      return;
    }
    sources.add(display, text);
    const parsed = parseIsa(display, text);
    for (const d of parsed.diagnostics.items) diagnostics.add(d);
    for (const d of parsed.ast.decls) {
      if (d.kind === "include") {
        const target = resolve(dirname(path), d.path);
        const targetDisplay = relative(process.cwd(), target) || target;
        visit(target, targetDisplay, [...stack, key], d.span);
      } else {
        decls.push(d);
      }
    }
  };

  visit(file, file, [], null);
  return { file, decls, sources, diagnostics };
}
