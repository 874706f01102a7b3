/** The command table: every verb the server knows, assembled from the command families. */
import { accessCommands } from './access';
import { fileCommands } from './files';
import { informationalCommands } from './informational';
import { parameterCommands } from './parameters';
import { securityCommands } from './security';
import { transferCommands } from './transfers';
import type { CommandSpec } from './types';

export type { CommandSpec, ArgumentRule, CommandHandler } from './types';
export { dispatch, parseCommandLine } from './dispatch';

export function buildCommandTable(): ReadonlyMap<string, CommandSpec> {
  const table = new Map<string, CommandSpec>();
  const families = [accessCommands, parameterCommands, transferCommands, fileCommands, informationalCommands, securityCommands];
  for (const spec of families.flat()) {
    if (table.has(spec.verb)) throw new Error(`duplicate command ${spec.verb} in the command table`);
    table.set(spec.verb, spec);
  }
  return table;
}
