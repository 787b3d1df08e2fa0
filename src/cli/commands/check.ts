/**
 * `popek check FILE.isa...`: parses and checks specs; exit 2 on spec errors.
 */
import { EXIT, loadIsa, type Io } from "../load-isa.js";

export async function checkCommand(files: readonly string[], io: Io): Promise<number> {
  let worst: number = EXIT.ok;
  for (const file of files) {
    const { isa, errors, warnings } = loadIsa(file, io);
    if (!isa) {
      io.err(`${file}: ${errors} error(s), ${warnings} warning(s)`);
      worst = Math.max(worst, EXIT.specError);
      continue;
    }
    io.out(`${file}: ${isa.name}: ${isa.instructions.length} instructions, ${isa.state.length} state elements, ${isa.configs.length} configuration(s)${warnings ? `, ${warnings} warning(s)` : ""}`);
  }
  return worst;
}
