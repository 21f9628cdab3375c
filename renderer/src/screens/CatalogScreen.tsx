/**
 * A route's tools, prompts and resources as one persona sees them: what is listed, what is
 * hidden and why (the policy decision), each item's schema, and a "try it" call.
 */
import { useMemo, useState } from 'react';

import type { CatalogView } from '../../../shared/admin-api.js';
import type { ItemKind } from '../../../shared/policy.js';
import { useAdmin, useConfigGeneration, useOverview, useRoutes } from '../api/admin-context.js';
import { useQuery } from '../api/use-query.js';
import { CatalogList, itemKey } from '../catalog/CatalogList.js';
import { ItemDetail } from '../catalog/ItemDetail.js';
import { ClaimsEditor, DEFAULT_CLAIMS, PersonaPicker } from '../catalog/PersonaPicker.js';
import '../catalog/catalog.css';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { RoutePicker } from '../components/RoutePicker.js';
import { navigate, useLocation, type Params } from '../navigation.js';

type KindFilter = 'all' | ItemKind;

export function CatalogScreen() {
  const admin = useAdmin();
  const routes = useRoutes();
  const overview = useOverview();
  const { params } = useLocation();
  const users = overview?.idp?.users ?? [];
  const clients = overview?.idp?.clients ?? [];

  const route = params.get('route') ?? routes[0]?.path;
  const routeSummary = routes.find((r) => r.path === route);
  const routeHasAuth = routeSummary ? routeSummary.auth.mode !== 'none' : true;
  const custom = params.get('persona') === 'custom';
  const user = custom ? undefined : (params.get('user') ?? users[0]?.username);
  const selected = params.get('item') ?? undefined;
  const [claimsText, setClaimsText] = useState(DEFAULT_CLAIMS);
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<KindFilter>('all');
  const [showHidden, setShowHidden] = useState(true);

  const go = (changes: Params) => {
    const current: Params = Object.fromEntries(params.entries());
    navigate('catalog', { ...current, ...changes }, { replace: true });
  };

  // A config reload (e.g. a saved ACL matrix) changes what the persona sees: it is part of the key.
  // So does an upstream coming up (its items appear).
  const generation = useConfigGeneration();
  const upstreams = routeSummary?.upstreams.map((u) => u.state).join(',') ?? '';
  const key = route === undefined ? undefined : `${generation}|${upstreams}|${route}|${custom ? `claims|${claimsText}` : `user|${user ?? ''}`}`;
  const catalog = useQuery<CatalogView>(key, () =>
    custom
      ? admin.send<CatalogView>('POST', '/api/catalog', { route, persona: { claims: JSON.parse(claimsText) as Record<string, unknown> } })
      : admin.get<CatalogView>(`/api/catalog?route=${encodeURIComponent(route!)}${user ? `&user=${encodeURIComponent(user)}` : ''}`),
  );

  const items = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return (catalog.data?.items ?? []).filter(
      (item) =>
        (kind === 'all' || item.kind === kind) &&
        (showHidden || item.visible) &&
        (needle === '' || item.name.toLowerCase().includes(needle) || (item.description ?? '').toLowerCase().includes(needle)),
    );
  }, [catalog.data, query, kind, showHidden]);

  const selectedItem = catalog.data?.items.find((i) => itemKey(i) === selected) ?? items[0];
  const personaName = custom ? 'these claims' : (user ?? 'anonymous');
  const all = catalog.data?.items ?? [];
  const tools = all.filter((i) => i.kind === 'tools');

  return (
    <div className="screen-fill catalog-screen">
      <div className="toolbar">
        <RoutePicker value={route} onChange={(r) => go({ route: r, item: undefined })} />
        {routeHasAuth && (
          <PersonaPicker
            users={users}
            clients={clients}
            user={user}
            custom={custom}
            onUser={(u) => go({ user: u, persona: undefined })}
            onCustom={() => go({ persona: 'custom', user: undefined })}
          />
        )}
        <span className="spacer" />
        <div className="search">
          <Icon name="search" size={13} />
          <input className="input" placeholder="Filter items" value={query} onChange={(event) => setQuery(event.target.value)} data-search aria-label="Filter items" />
        </div>
        <div className="segmented" role="group" aria-label="Kind">
          {(['all', 'tools', 'prompts', 'resources'] as const).map((k) => (
            <button key={k} type="button" aria-pressed={kind === k} onClick={() => setKind(k)}>
              {k}
            </button>
          ))}
        </div>
        <label className="row small dim">
          <input type="checkbox" checked={showHidden} onChange={(event) => setShowHidden(event.target.checked)} />
          hidden
        </label>
      </div>

      {custom && routeHasAuth && <ClaimsEditor claimsText={claimsText} onClaims={setClaimsText} />}

      {catalog.data && (
        <div className="catalog-summary" data-testid="catalog-summary">
          <Icon name="user" size={13} />
          <strong>{catalog.data.persona.subject}</strong>
          <span className="muted">groups</span>
          {catalog.data.persona.groups.length > 0 ? catalog.data.persona.groups.map((g) => <code key={g} className="group-chip">{g}</code>) : <span className="muted">none</span>}
          <span className="summary-sep" />
          <span>
            sees <strong data-testid="visible-tool-count">{tools.filter((t) => t.visible).length}</strong> of {tools.length} tools
          </span>
          {all.length > tools.length && <span className="muted">· {all.filter((i) => i.kind !== 'tools' && i.visible).length} of {all.length - tools.length} other items</span>}
          {!catalog.data.enforced && <span className="badge">no ACL on this route</span>}
          {catalog.loading && <span className="muted xs">refreshing…</span>}
        </div>
      )}

      {catalog.error && (
        <div className="screen-pad">
          <ErrorCallout error={catalog.error} title="Could not load the catalog" />
        </div>
      )}

      <div className="split catalog-split">
        <div className="catalog-list-pane">
          {catalog.loading && !catalog.data && <div className="empty">Loading catalog…</div>}
          {catalog.data && items.length === 0 && (
            <div className="empty">
              <h3>Nothing matches</h3>
              <span>{all.length === 0 ? 'This route lists no items (is its upstream connected?)' : 'Change the filter to see more.'}</span>
            </div>
          )}
          <CatalogList items={items} selected={selectedItem ? itemKey(selectedItem) : undefined} onSelect={(k) => go({ item: k })} />
        </div>
        <div className="detail-pane" key={selectedItem ? itemKey(selectedItem) : 'none'}>
          {selectedItem && route && catalog.data ? (
            <ItemDetail
              key={itemKey(selectedItem)}
              route={route}
              item={selectedItem}
              user={user}
              personaName={personaName}
              enforced={catalog.data.enforced}
              routeHasAuth={routeHasAuth}
              passwordHashed={users.find((candidate) => candidate.username === user)?.passwordHashed === true}
            />
          ) : (
            <div className="empty">Select an item to see its schema and why this persona sees it.</div>
          )}
        </div>
      </div>
    </div>
  );
}
