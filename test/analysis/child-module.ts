/**
 * Runs a module's text in a child process that can import the TypeScript sources (through the
 * pool's source loader), for tests whose subject is what a whole process does or prints: Z3 writes
 * to file descriptor 2 itself, and a test may leave Z3 in no state to go on.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { registerSourceLoader } from "../../src/analysis/pool.js";

/** The file URL of a source module, to import from the child's text. */
export function sourceUrl(path: string): string {
  return pathToFileURL(join(process.cwd(), path)).href;
}

/**
 * Runs `script` (an ES module's text) in a child Node process. It is written to a file: a module
 * given by --input-type breaks the threads Z3's Emscripten build starts.
 */
export function runModule(script: string): SpawnSyncReturns<string> {
  const file = join(mkdtempSync(join(tmpdir(), "popek-")), "child.mjs");
  writeFileSync(file, script);
  return spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(registerSourceLoader())}`, file], { encoding: "utf8", timeout: 120_000 });
}
