/**
 * Loads and checks spec files for every command, printing diagnostics the same way everywhere.
 */
import { checkSpec } from "../check/check.js";
import type * as IR from "../ir/ir.js";
import { renderDiagnostic, sortDiagnostics } from "../syntax/diagnostics.js";
import { loadSpec } from "../syntax/load.js";
import type { SourceStore } from "../syntax/source.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly color: boolean;
}

export interface Loaded {
  readonly isa: IR.Isa | null;
  readonly sources: SourceStore;
  readonly errors: number;
  readonly warnings: number;
}

/** Loads, checks and reports one spec; isa is null when it has errors. */
export function loadIsa(file: string, io: Io, options: { quietWarnings?: boolean } = {}): Loaded {
  const loaded = loadSpec(file);
  const result = checkSpec(loaded);
  let errors = 0;
  let warnings = 0;
  for (const d of sortDiagnostics(result.diagnostics.items)) {
    if (d.severity === "error") errors++;
    else warnings++;
    if (d.severity === "warning" && options.quietWarnings) continue;
    io.err(renderDiagnostic(d, loaded.sources, { color: io.color }));
  }
  return { isa: result.isa, sources: loaded.sources, errors, warnings };
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, specError: 2, inconclusive: 3, internal: 4 } as const;
