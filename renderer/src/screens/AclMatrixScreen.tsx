/**
 * A route's tool ACL as a tools × groups grid (the Kong recipe's table): tick who may call what,
 * save, and the config file is rewritten atomically and the gateway reloads. Lint findings show
 * on the cells whose rule they concern.
 */
import { useMemo, useState } from 'react';

import type { AclMatrix } from '../../../shared/admin-api.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { useAdmin, useConfigGeneration, useRoutes } from '../api/admin-context.js';
import { toAdminError, useQuery } from '../api/use-query.js';
import { cellIndex, cellKey, findingsByRule, isAllowed, toggle, updateCells } from '../acl/acl-grid.js';
import '../acl/acl.css';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { RoutePicker } from '../components/RoutePicker.js';
import { href, navigate, useLocation } from '../navigation.js';

export function AclMatrixScreen() {
  const admin = useAdmin();
  const routes = useRoutes();
  const { params } = useLocation();
  const route = params.get('route') ?? routes.find((r) => r.acl)?.path ?? routes[0]?.path;
  const generation = useConfigGeneration();
  const matrix = useQuery<AclMatrix>(route === undefined ? undefined : `${route}|${generation}`, () => admin.get<AclMatrix>(`/api/acl-matrix?route=${encodeURIComponent(route!)}`));
  const [edits, setEdits] = useState<Map<string, boolean>>(new Map());
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<AdminRequestError>();
  const [saved, setSaved] = useState<string>();

  const data = matrix.data;
  const cells = useMemo(() => (data ? cellIndex(data) : new Map()), [data]);
  const lint = useMemo(() => findingsByRule(data?.lint ?? []), [data]);
  const dirty = edits.size > 0;

  const changeRoute = (next: string) => {
    if (dirty && !window.confirm(`Discard ${edits.size} unsaved change${edits.size === 1 ? '' : 's'} to ${route}?`)) return;
    setEdits(new Map());
    setSaved(undefined);
    setSaveError(undefined);
    navigate('acl', { route: next }, { replace: true });
  };

  const save = async () => {
    if (!data || !route) return;
    setSaving(true);
    setSaveError(undefined);
    try {
      const next = await admin.send<AclMatrix>('PUT', '/api/acl-matrix', { route, cells: updateCells(data, edits) });
      matrix.set(next);
      setEdits(new Map());
      setSaved(next.configPath ?? data.configPath ?? 'the config file');
    } catch (error) {
      setSaveError(toAdminError(error));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="screen-fill acl-screen">
      <div className="toolbar">
        <RoutePicker value={route} onChange={changeRoute} />
        {data && (
          <span className="muted small">
            {data.tools.length} tools × {data.groups.length} groups
          </span>
        )}
        <span className="spacer" />
        {route && (
          <a className="btn small ghost" href={href('catalog', { route })}>
            Preview in catalog
          </a>
        )}
        {dirty && (
          <button type="button" className="btn small" onClick={() => setEdits(new Map())} data-testid="acl-discard">
            Discard
          </button>
        )}
        <button type="button" className="btn small primary" disabled={!dirty || saving || !data?.editable} onClick={() => void save()} data-testid="acl-save">
          {saving ? 'Saving…' : dirty ? `Save ${edits.size} change${edits.size === 1 ? '' : 's'}` : 'Saved'}
        </button>
      </div>

      <div className="acl-body screen-pad">
        {matrix.error && <ErrorCallout error={matrix.error} title="Could not load the ACL" />}
        {saveError && <ErrorCallout error={saveError} title="Nothing was saved" />}
        {saved && !dirty && (
          <div className="callout ok" data-testid="acl-saved">
            <Icon name="check" size={14} />
            <span>
              Saved to <code>{saved}</code>; the gateway reloaded it. Clients see the new lists on their next request.
            </span>
          </div>
        )}
        {data && !data.editable && (
          <div className="callout warn" data-testid="acl-not-editable">
            <Icon name="alert" size={14} />
            <span>
              <strong>Read-only.</strong> {data.whyNotEditable ?? 'This ACL cannot be shown as a grid.'} Edit the config file instead
              {data.configPath && (
                <>
                  {' '}
                  (<code>{data.configPath}</code>)
                </>
              )}
              .
            </span>
          </div>
        )}
        {data && data.tools.length === 0 && (
          <div className="empty">
            <h3>No tools on this route</h3>
            <span>The grid lists the route's tools once its upstreams are connected.</span>
          </div>
        )}

        {data && data.tools.length > 0 && (
          <div className="acl-grid-wrap">
            <table className="acl-grid" data-testid="acl-grid">
              <thead>
                <tr>
                  <th className="acl-corner">tool</th>
                  {data.groups.map((group) => (
                    <th key={group} className="acl-group">
                      <code>{group}</code>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.tools.map((tool) => {
                  const rowFindings = new Set(data.groups.flatMap((group) => lint.get(cells.get(cellKey(tool.name, group))?.rule ?? '') ?? []));
                  return (
                    <tr key={tool.name} data-testid="acl-row" data-tool={tool.name}>
                      <th className="acl-tool" title={tool.description}>
                        <code>{tool.name}</code>
                        {rowFindings.size > 0 && (
                          <span className="acl-lint-mark" title={[...rowFindings].map((f) => f.message).join('\n')}>
                            <Icon name="alert" size={12} />
                          </span>
                        )}
                      </th>
                      {data.groups.map((group) => {
                        const key = cellKey(tool.name, group);
                        const cell = cells.get(key);
                        const allowed = isAllowed(cells, edits, tool.name, group);
                        const changed = edits.has(key);
                        const findings = cell?.rule ? (lint.get(cell.rule) ?? []) : [];
                        return (
                          <td key={group} className={`acl-cell ${allowed ? 'on' : 'off'} ${changed ? 'changed' : ''} ${findings.length ? 'linted' : ''}`}>
                            <label title={cellTitle(tool.name, group, allowed, cell?.rule, changed, findings.map((f) => f.message))}>
                              <input
                                type="checkbox"
                                checked={allowed}
                                disabled={!data.editable}
                                onChange={() => setEdits((current) => toggle(cells, current, tool.name, group))}
                                data-testid={`acl-cell-${tool.name}-${group}`}
                                aria-label={`${group} may call ${tool.name}`}
                              />
                            </label>
                          </td>
                        );
                      })}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}

        {data && data.lint.length > 0 && (
          <section className="acl-lint" data-testid="acl-lint">
            <div className="section-title">Lint</div>
            {data.lint.map((finding, i) => (
              <div key={`${finding.ruleId}-${finding.problem}-${i}`} className="acl-finding">
                <span className="badge warn">{finding.problem.replace(/_/g, ' ')}</span>
                <code className="rule-id">{finding.ruleId}</code>
                <span>{finding.message}</span>
                <span className="muted">{finding.fix}</span>
              </div>
            ))}
          </section>
        )}

        {data?.configPath && (
          <p className="muted xs">
            Saving rewrites the <code>acl</code> key of {route} in <code>{data.configPath}</code> (atomically: a temporary file, then a rename).
          </p>
        )}
      </div>
    </div>
  );
}

function cellTitle(tool: string, group: string, allowed: boolean, rule: string | undefined, changed: boolean, findings: string[]): string {
  const lines = [`${group} ${allowed ? 'may' : 'may not'} call ${tool}`];
  if (changed) lines.push('(unsaved change)');
  else if (rule) lines.push(`decided by rule ${rule}`);
  return [...lines, ...findings].join('\n');
}
