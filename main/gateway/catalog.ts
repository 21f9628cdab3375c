/**
 * The union of a route's upstream catalogs (tools, prompts, resources, resource templates) under
 * the names clients see. Names are kept apart by prefixing them with the upstream name: only
 * when two upstreams collide (conditional), always, or never (then a collision keeps the first
 * upstream's item and is reported).
 */
import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';

import { exposeNames } from '../config/prefix-names.js';
export { exposeNames, PREFIX_SEPARATOR } from '../config/prefix-names.js';
import type { PrefixMode } from '../config/schema.js';

export type CatalogKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

export interface UpstreamCatalog {
  tools: Tool[];
  prompts: Prompt[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
}

export interface Exposed<T> {
  upstream: string;
  /** The name the upstream knows the item by. */
  original: string;
  item: T;
}

export interface NameCollision {
  kind: CatalogKind;
  name: string;
  upstreams: [string, string];
}

function nameOf(kind: CatalogKind, item: Tool | Prompt | Resource | ResourceTemplate): string {
  return kind === 'resources' ? (item as Resource).uri : item.name;
}

export class RouteCatalog {
  private readonly perUpstream = new Map<string, UpstreamCatalog>();
  private views = new Map<CatalogKind, Map<string, Exposed<Tool | Prompt | Resource | ResourceTemplate>>>();
  collisions: NameCollision[] = [];

  constructor(
    private readonly mode: PrefixMode,
    /** Upstream names in route order: the order decides who keeps a name under `never`. */
    private readonly order: readonly string[],
  ) {}

  set(upstream: string, catalog: UpstreamCatalog): void {
    this.perUpstream.set(upstream, catalog);
    this.rebuild();
  }

  remove(upstream: string): void {
    this.perUpstream.delete(upstream);
    this.rebuild();
  }

  has(upstream: string): boolean {
    return this.perUpstream.has(upstream);
  }

  tools(): Tool[] {
    return this.list<Tool>('tools');
  }

  prompts(): Prompt[] {
    return this.list<Prompt>('prompts');
  }

  resources(): Resource[] {
    return this.list<Resource>('resources');
  }

  resourceTemplates(): ResourceTemplate[] {
    return this.list<ResourceTemplate>('resourceTemplates');
  }

  resolve<T>(kind: CatalogKind, exposedName: string): Exposed<T> | undefined {
    return this.views.get(kind)?.get(exposedName) as Exposed<T> | undefined;
  }

  /** Template name → upstream owning it (for completion/complete on resource templates). */
  templateByUri(uriTemplate: string): Exposed<ResourceTemplate> | undefined {
    for (const entry of this.views.get('resourceTemplates')?.values() ?? []) {
      if ((entry.item as ResourceTemplate).uriTemplate === uriTemplate) return entry as Exposed<ResourceTemplate>;
    }
    return undefined;
  }

  upstreamsWith(kind: CatalogKind): string[] {
    return this.order.filter((name) => (this.perUpstream.get(name)?.[kind].length ?? 0) > 0);
  }

  private list<T>(kind: CatalogKind): T[] {
    const view = this.views.get(kind);
    if (!view) return [];
    return [...view.entries()].map(([exposed, entry]) =>
      kind === 'resources' ? (entry.item as T) : ({ ...entry.item, name: exposed } as T),
    );
  }

  private rebuild(): void {
    const views = new Map<CatalogKind, Map<string, Exposed<Tool | Prompt | Resource | ResourceTemplate>>>();
    const collisions: NameCollision[] = [];
    for (const kind of ['tools', 'prompts', 'resources', 'resourceTemplates'] as const) {
      const view = new Map<string, Exposed<Tool | Prompt | Resource | ResourceTemplate>>();
      const present = this.order.filter((name) => this.perUpstream.has(name));
      // Resources are addressed by URI, which already says where they come from: never renamed.
      const mode: PrefixMode = kind === 'resources' ? 'never' : this.mode;
      const names = new Map(present.map((name) => [name, this.perUpstream.get(name)![kind].map((item) => nameOf(kind, item))]));
      const { exposed, collisions: found } = exposeNames(mode, names);
      for (const upstream of present) {
        const mapping = exposed.get(upstream)!;
        for (const item of this.perUpstream.get(upstream)![kind]) {
          const exposedName = mapping.get(nameOf(kind, item));
          if (exposedName !== undefined && !view.has(exposedName)) {
            view.set(exposedName, { upstream, original: nameOf(kind, item), item });
          }
        }
      }
      if (kind !== 'resources') collisions.push(...found.map((c) => ({ kind, ...c })));
      views.set(kind, view);
    }
    this.views = views;
    this.collisions = collisions;
  }
}
