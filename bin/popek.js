#!/usr/bin/env node
// Entry point installed as `popek`; the compiled CLI lives in dist/ (built by `npm install` via `prepare`).
import { main } from "../dist/src/cli/main.js";
main(process.argv).then((code) => { process.exitCode = code; });
