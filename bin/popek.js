#!/usr/bin/env node
// Entry point installed as `popek`; the compiled CLI lives in dist/ (built by `npm install` via `prepare`).
import { main } from "../dist/src/cli/main.js";

// A reader that stops early (popek run --trace | head) is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
main(process.argv).then((code) => {
  process.exitCode = code;
});
