/**
 * Runs the peers' programs (binutils, qemu-user) in a scratch directory, synchronously and with a
 * time limit, and says clearly when one is missing.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Peer, Tool } from "./peer.js";

export interface ToolResult {
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** A tool the peer needs is not installed. */
export class MissingTool extends Error {}

/** Runs a tool with extra arguments in `cwd`. */
export function runTool(tool: Tool, extra: readonly string[], cwd: string, timeoutMs = 20_000): ToolResult {
  const r = spawnSync(tool.cmd, [...tool.args, ...extra], { cwd, timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new MissingTool(`'${tool.cmd}' is not installed (see .ci/run for the packages the difftest needs)`);
  }
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT" || r.signal === "SIGTERM";
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? "", timedOut };
}

/** Runs a tool and returns its stdout, or throws with its stderr when it fails. */
export function runToolOk(tool: Tool, extra: readonly string[], cwd: string): Buffer {
  const r = runTool(tool, extra, cwd);
  if (r.status !== 0) throw new Error(`${tool.cmd} ${[...tool.args, ...extra].join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  return r.stdout;
}

/** A scratch directory for one campaign; `dispose` removes it. */
export class Workdir {
  readonly path = mkdtempSync(join(tmpdir(), "popek-difftest-"));

  write(name: string, text: string): string {
    const p = join(this.path, name);
    writeFileSync(p, text);
    return p;
  }

  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** The tools of a peer that are missing, if any. */
export function missingTools(peer: Peer): string[] {
  const missing: string[] = [];
  for (const t of [peer.as, peer.ld, peer.objdump, peer.qemu]) {
    const r = spawnSync(t.cmd, ["--version"], { timeout: 10_000 });
    if (r.error) missing.push(t.cmd);
  }
  return missing;
}
