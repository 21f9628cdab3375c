/**
 * How the names of several upstreams are kept apart on one route. Pure, so `gatehouse check`
 * and the live catalog decide the same way.
 */
import type { PrefixMode } from './schema.js';

export const PREFIX_SEPARATOR = '_';

/**
 * Decides the exposed name of every item: `names` maps upstream → its item names, in route order.
 * Pure, so config checks and the live catalog agree.
 */
export function exposeNames(
  mode: PrefixMode,
  names: ReadonlyMap<string, readonly string[]>,
): { exposed: Map<string, Map<string, string>>; collisions: Array<{ name: string; upstreams: [string, string] }> } {
  const owners = new Map<string, string[]>();
  for (const [upstream, list] of names) {
    for (const name of new Set(list)) owners.set(name, [...(owners.get(name) ?? []), upstream]);
  }
  const exposed = new Map<string, Map<string, string>>();
  const collisions: Array<{ name: string; upstreams: [string, string] }> = [];
  // An exposed name belongs to whoever claims it first: a prefixed name may equal another
  // upstream's own name (an upstream that is itself a gateway already prefixes).
  const taken = new Map<string, string>();
  const claim = (mapping: Map<string, string>, upstream: string, name: string, exposedName: string) => {
    const owner = taken.get(exposedName);
    if (owner !== undefined && owner !== upstream) {
      collisions.push({ name: exposedName, upstreams: [owner, upstream] });
      return;
    }
    taken.set(exposedName, upstream);
    mapping.set(name, exposedName);
  };
  for (const [upstream, list] of names) {
    const mapping = new Map<string, string>();
    for (const name of list) {
      const sharedBy = owners.get(name) ?? [];
      const prefixed = `${upstream}${PREFIX_SEPARATOR}${name}`;
      if (mode === 'always') claim(mapping, upstream, name, prefixed);
      else if (sharedBy.length < 2) claim(mapping, upstream, name, name);
      else if (mode === 'conditional') claim(mapping, upstream, name, prefixed);
      else if (sharedBy[0] === upstream) claim(mapping, upstream, name, name);
      else collisions.push({ name, upstreams: [sharedBy[0]!, upstream] });
    }
    exposed.set(upstream, mapping);
  }
  return { exposed, collisions };
}

