/**
 * Chevrotain's runtime, from the single-file build its package ships (lib/chevrotain.mjs). The
 * package's entry point is the same code as some seventy modules that import lodash-es, six hundred
 * more: loading those took 0.45-0.65 s of every popek command, the bundle 0.03 s. The package's
 * `exports` do not list the bundle, so it is found beside the entry point; if a later version moves
 * it, the entry point is used.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

type Chevrotain = typeof import("chevrotain");

async function load(): Promise<Chevrotain> {
  const entry = createRequire(import.meta.url).resolve("chevrotain");
  const bundle = join(dirname(entry), "..", "chevrotain.mjs");
  return existsSync(bundle) ? ((await import(pathToFileURL(bundle).href)) as Chevrotain) : import("chevrotain");
}

const chevrotain = await load();

export const { createToken, Lexer, CstParser } = chevrotain;
