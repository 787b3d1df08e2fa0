// Run after `npm install` / `npm ci` (package.json "postinstall"). z3-solver ships its WebAssembly
// build with Emscripten's debugging assertions on, and two of them sit on the hottest path of every
// solver check: each indirect call made through an exception-handling wrapper (invoke_*) looks the
// function up in the WebAssembly table a second time only to assert that the JavaScript mirror of
// the table agrees, and every call into Z3's API goes through a wrapper that asserts the runtime is
// up and counts the arguments. Removing the two checks changes nothing Z3 computes (the same
// answers, models and resource counts); it removed about a fifth of the solver's time on the
// bundled ISAs. Each edit is made only where the expected text is found, so a later z3-solver
// build is left as it is (and popek is merely slower), and running this again changes nothing.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const EDITS = [
  {
    what: "the function-table mirror's per-call assertion",
    from: "      /** @suppress {checkTypes} */\n      assert(wasmTable.get(funcPtr) == func, 'JavaScript-side Wasm function table mirror is out of date!');\n",
    to: "",
  },
  {
    what: "the per-call assertions of the exported-function wrappers",
    from: [
      "function createExportWrapper(name, nargs) {",
      "  return (...args) => {",
      "    assert(runtimeInitialized, `native function \\`${name}\\` called before runtime initialization`);",
      "    var f = wasmExports[name];",
      "    assert(f, `exported native function \\`${name}\\` not found`);",
      "    // Only assert for too many arguments. Too few can be valid since the missing arguments will be zero filled.",
      "    assert(args.length <= nargs, `native function \\`${name}\\` called with ${args.length} args but expects ${nargs}`);",
      "    return f(...args);",
      "  };",
      "}",
    ].join("\n"),
    to: "function createExportWrapper(name, nargs) {\n  return (...args) => wasmExports[name](...args);\n}",
  },
];

let file;
try {
  file = join(dirname(createRequire(import.meta.url).resolve("z3-solver")), "z3-built.js");
} catch {
  process.exit(0); // not installed (yet): nothing to do
}
let text = readFileSync(file, "utf8");
const done = [];
for (const edit of EDITS) {
  if (text.split(edit.from).length !== 2) continue;
  text = text.replace(edit.from, edit.to);
  done.push(edit.what);
}
if (done.length) {
  try {
    writeFileSync(file, text);
    console.log(`popek: removed from z3-solver's glue: ${done.join("; ")}`);
  } catch (e) {
    // A read-only install still works, only slower: never fail the install over this.
    console.log(`popek: left z3-solver's glue as it is (${e instanceof Error ? e.message : e})`);
  }
}
