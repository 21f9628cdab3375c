/**
 * GET /api/catalog?route=&user=  and  POST /api/catalog {route, persona}: a route's tools,
 * prompts, resources and templates with their descriptions and schemas, and for the persona
 * whether each is listed and callable and why — the gateway's own preview, so the window shows
 * exactly what the policy enforces.
 */
import express, { type Router } from 'express';

import type { CatalogItem, CatalogView, Persona } from '../../shared/admin-api.js';
import type { ItemKind } from '../../shared/policy.js';
import type { CatalogKind } from '../gateway/catalog.js';
import type { PreviewItem } from '../gateway/persona-preview.js';
import type { RouteRuntime } from '../gateway/route-runtime.js';
import type { AdminContext } from './admin-context.js';
import { badRequest } from './admin-error.js';
import { findRoute } from './route-summary.js';

interface Described {
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

const CATALOG_KIND: Record<ItemKind, CatalogKind> = { tools: 'tools', prompts: 'prompts', resources: 'resources', resource_templates: 'resourceTemplates' };

/** The upstream's own words for each item, by the name clients see. */
function descriptions(runtime: RouteRuntime): Record<ItemKind, Map<string, Described>> {
  const { catalog } = runtime;
  const record = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined);
  return {
    tools: new Map(catalog.tools().map((t) => [t.name, { title: t.title, description: t.description, inputSchema: record(t.inputSchema), annotations: record(t.annotations) }])),
    prompts: new Map(
      catalog.prompts().map((p) => [
        p.name,
        {
          title: p.title,
          description: p.description,
          // Prompt arguments shown as the schema of what prompts/get takes.
          ...(p.arguments?.length
            ? {
                inputSchema: {
                  type: 'object',
                  properties: Object.fromEntries(p.arguments.map((a) => [a.name, { type: 'string', ...(a.description ? { description: a.description } : {}) }])),
                  required: p.arguments.filter((a) => a.required).map((a) => a.name),
                },
              }
            : {}),
        },
      ]),
    ),
    resources: new Map(catalog.resources().map((r) => [r.uri, { title: r.title ?? r.name, description: r.description, annotations: record(r.annotations) }])),
    resource_templates: new Map(catalog.resourceTemplates().map((t) => [t.uriTemplate, { title: t.title ?? t.name, description: t.description, annotations: record(t.annotations) }])),
  };
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function catalogView(context: AdminContext, routePath: unknown, persona: Persona): CatalogView {
  const runtime = findRoute(context.gateway, routePath);
  let preview;
  try {
    preview = context.gateway.previewPersona(runtime.route.path, persona);
  } catch (error) {
    throw badRequest(`Cannot preview this persona: ${(error as Error).message}`);
  }
  const described = descriptions(runtime);
  const items: CatalogItem[] = [];
  for (const kind of ['tools', 'prompts', 'resources', 'resource_templates'] as const) {
    for (const entry of preview[kind] as PreviewItem[]) {
      const words = described[kind].get(entry.name) ?? {};
      const resolved = kind === 'resource_templates' ? runtime.catalog.templateByUri(entry.name) : runtime.catalog.resolve(CATALOG_KIND[kind], entry.name);
      items.push(
        defined<CatalogItem>({
          kind,
          name: entry.name,
          ...words,
          upstream: resolved?.upstream,
          visible: entry.visible,
          callable: entry.callable,
          list: entry.list,
          call: entry.call,
        }),
      );
    }
  }
  return { route: runtime.route.path, persona: { subject: preview.subject, groups: preview.groups }, enforced: preview.enforced, items };
}

function parsePersona(value: unknown): Persona {
  if (value && typeof value === 'object') {
    const persona = value as Record<string, unknown>;
    if (typeof persona.user === 'string' && persona.user) return { user: persona.user };
    if (persona.claims && typeof persona.claims === 'object' && !Array.isArray(persona.claims)) return { claims: persona.claims as Record<string, unknown> };
  }
  throw badRequest('persona must be {"user": "<built-in IdP user>"} or {"claims": {...token claims}}');
}

export function catalogRouter(context: AdminContext): Router {
  const router = express.Router();
  router.get('/catalog', (req, res) => {
    const user = req.query.user;
    // Without a user: the route as an anonymous caller with no claims would see it.
    const persona: Persona = typeof user === 'string' && user ? { user } : { claims: {} };
    res.json(catalogView(context, req.query.route, persona));
  });
  router.post('/catalog', (req, res) => {
    const body = (req.body ?? {}) as { route?: unknown; persona?: unknown };
    res.json(catalogView(context, body.route, parsePersona(body.persona)));
  });
  return router;
}
