/**
 * GET /api/acl-matrix?route=  and  PUT /api/acl-matrix {route, cells}: the route's tool ACL as a
 * grid (./acl-matrix.ts), and saving an edited grid into the config (./config-editor.ts) — the
 * gateway reloads it at once and the answer carries the new grid with its lint findings.
 */
import express, { type Router } from 'express';
import { isMap, isSeq, type Document, type Node } from 'yaml';

import type { AclMatrix, AclMatrixUpdate } from '../../shared/admin-api.js';
import { builtinIdpGroups } from '../config/idp-groups.js';
import type { RouteRuntime } from '../gateway/route-runtime.js';
import { aclRuleSchema } from '../policy/policy-schema.js';
import type { AdminContext } from './admin-context.js';
import { badRequest, conflict } from './admin-error.js';
import { applyCells, deriveGrid, updateProblems, type AclGrid, type WrittenAcl, type WrittenRule } from './acl-matrix.js';
import type { ConfigEditor } from './config-editor.js';
import { findRoute } from './route-summary.js';

function gridOf(context: AdminContext, runtime: RouteRuntime): AclGrid {
  const { config } = context.gateway;
  const knownGroups = runtime.route.auth?.issuer === 'builtin' ? builtinIdpGroups(config.idp) : [];
  const tools = runtime.catalog.tools().map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}) }));
  const grid = deriveGrid(runtime.route.acl, tools, knownGroups);
  if (!runtime.route.auth) return { ...grid, editable: false, whyNotEditable: 'this route has no auth, so nobody has groups: add auth (e.g. issuer: builtin) before an ACL' };
  return grid;
}

async function matrix(context: AdminContext, editor: ConfigEditor, runtime: RouteRuntime): Promise<AclMatrix> {
  const grid = gridOf(context, runtime);
  const fileProblem = grid.editable ? await editor.whyNotEditable() : undefined;
  const lint = context.gateway
    .lint()
    .filter((finding) => finding.route === runtime.route.path)
    .map(({ route: _route, ...finding }) => finding);
  return {
    route: runtime.route.path,
    groups: grid.groups,
    tools: grid.tools,
    cells: grid.cells,
    editable: grid.editable && !fileProblem,
    ...(grid.whyNotEditable || fileProblem ? { whyNotEditable: grid.whyNotEditable ?? fileProblem } : {}),
    lint,
    configPath: editor.target,
  };
}

function routeIndex(doc: Document, routePath: string): number {
  const routes = doc.get('routes', true);
  const index = isSeq(routes) ? routes.items.findIndex((item) => isMap(item) && item.get('path') === routePath) : -1;
  if (index < 0) throw conflict(`route ${routePath} is not written in the config file as a Gatehouse route, so the window cannot edit its ACL; edit the file`);
  return index;
}

/** The same rule, whatever defaults it spells out: an unchanged rule keeps its YAML node (and comments). */
function sameRule(node: unknown, rule: WrittenRule): boolean {
  const before = aclRuleSchema.safeParse((node as Node).toJSON());
  const after = aclRuleSchema.safeParse(rule);
  return before.success && after.success && JSON.stringify(before.data) === JSON.stringify(after.data);
}

function writeAcl(doc: Document, index: number, acl: WrittenAcl): void {
  const at = ['routes', index, 'acl'];
  if (acl.default) {
    doc.setIn(at, doc.createNode({ default: acl.default, rules: acl.rules }));
    return;
  }
  const existing = doc.getIn([...at, 'rules'], true);
  if (!isSeq(existing)) {
    doc.setIn([...at, 'rules'], doc.createNode(acl.rules));
    return;
  }
  const byId = new Map(existing.items.filter(isMap).map((item) => [String(item.get('id')), item]));
  existing.items = acl.rules.map((rule) => {
    const node = byId.get(rule.id);
    return node && sameRule(node, rule) ? node : doc.createNode(rule);
  });
}

function parseUpdate(body: unknown): AclMatrixUpdate {
  const update = (body ?? {}) as Partial<AclMatrixUpdate>;
  if (typeof update.route !== 'string' || !Array.isArray(update.cells)) throw badRequest('Send {route: "/path", cells: [{tool, group, allowed}]}');
  return { route: update.route, cells: update.cells };
}

export function aclMatrixRouter(context: AdminContext, editor: ConfigEditor): Router {
  const router = express.Router();

  router.get('/acl-matrix', async (req, res) => {
    res.json(await matrix(context, editor, findRoute(context.gateway, req.query.route)));
  });

  router.put('/acl-matrix', async (req, res) => {
    const update = parseUpdate(req.body);
    const runtime = findRoute(context.gateway, update.route);
    const grid = gridOf(context, runtime);
    if (!grid.editable) throw conflict(`The ACL of ${update.route} cannot be edited as a grid: ${grid.whyNotEditable}`);
    const problems = updateProblems(grid, update.cells);
    if (problems.length) throw badRequest(`The ACL change for ${update.route} names tools or groups the route does not have; nothing was saved`, problems);
    const acl = applyCells(runtime.route.acl, grid, update.cells);
    await editor.edit((doc) => writeAcl(doc, routeIndex(doc, update.route), acl));
    res.json(await matrix(context, editor, findRoute(context.gateway, update.route)));
  });

  return router;
}
