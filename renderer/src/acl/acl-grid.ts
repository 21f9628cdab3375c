/** The ACL matrix's editing state: the cells as loaded, the user's changes, and lint per rule. */
import type { AclMatrix, AclMatrixCell } from '../../../shared/admin-api.js';
import type { LintFinding } from '../../../shared/policy.js';

export const cellKey = (tool: string, group: string) => `${tool}\u0000${group}`;

export type Edits = ReadonlyMap<string, boolean>;

export function cellIndex(matrix: AclMatrix): Map<string, AclMatrixCell> {
  return new Map(matrix.cells.map((cell) => [cellKey(cell.tool, cell.group), cell]));
}

/** What a cell shows: the edit when there is one, else what the config says. */
export function isAllowed(cells: Map<string, AclMatrixCell>, edits: Edits, tool: string, group: string): boolean {
  const key = cellKey(tool, group);
  return edits.get(key) ?? cells.get(key)?.allowed ?? false;
}

/** Toggling back to the loaded value removes the edit, so "dirty" means "differs from the file". */
export function toggle(cells: Map<string, AclMatrixCell>, edits: Edits, tool: string, group: string): Map<string, boolean> {
  const key = cellKey(tool, group);
  const next = new Map(edits);
  const loaded = cells.get(key)?.allowed ?? false;
  const value = !isAllowed(cells, edits, tool, group);
  if (value === loaded) next.delete(key);
  else next.set(key, value);
  return next;
}

/** Every cell of the grid as it should be saved. */
export function updateCells(matrix: AclMatrix, edits: Edits): Array<{ tool: string; group: string; allowed: boolean }> {
  const cells = cellIndex(matrix);
  return matrix.tools.flatMap((tool) => matrix.groups.map((group) => ({ tool: tool.name, group, allowed: isAllowed(cells, edits, tool.name, group) })));
}

/** Lint findings by the rule they are about, so a cell decided by that rule can show them. */
export function findingsByRule(findings: LintFinding[]): Map<string, LintFinding[]> {
  const out = new Map<string, LintFinding[]>();
  for (const finding of findings) out.set(finding.ruleId, [...(out.get(finding.ruleId) ?? []), finding]);
  return out;
}
