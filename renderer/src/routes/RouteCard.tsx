/** One route: its URL, upstreams and their health, auth, traffic, client configs and faults. */
import { useState } from 'react';

import type { FaultSet, RouteSummary, UpstreamSummary } from '../../../shared/admin-api.js';
import { CopyButton } from '../components/CopyButton.js';
import { Icon } from '../components/Icon.js';
import { formatAgo, formatCount, formatMs } from '../format.js';
import { href } from '../navigation.js';
import { FaultsPanel } from '../screens/FaultsPanel.js';
import { ClientConfigMenu, ClientConfigSheet, type PickedConfig } from './ClientConfigMenu.js';
import { HealthBadge } from './HealthBadge.js';
import { UpstreamLoginActions, useUpstreamLogin } from './UpstreamLogin.js';

const AUTH_LABEL = { none: 'no auth', jwt: 'OAuth · JWT', introspection: 'OAuth · introspection' } as const;

export function RouteCard({ route }: { route: RouteSummary }) {
  const [picked, setPicked] = useState<PickedConfig>();
  const faults = activeFaults(route.faults);
  const [faultsOpen, setFaultsOpen] = useState(faults.length > 0);

  return (
    <article className="card route-card" data-testid="route-row" data-route={route.path}>
      <header className="route-head">
        <div className="stack route-title">
          <div className="row">
            <h2 className="route-path mono">{route.path}</h2>
            <span className={`badge ${route.auth.mode === 'none' ? 'warn' : 'accent'}`}>
              <Icon name="lock" size={11} />
              {AUTH_LABEL[route.auth.mode]}
            </span>
            {route.acl && <span className="badge info">ACL</span>}
            {faults.length > 0 && (
              <span className="badge warn" title={faults.join(', ')}>
                <Icon name="bolt" size={11} />
                {faults.length} fault{faults.length === 1 ? '' : 's'} on
              </span>
            )}
          </div>
          <div className="row route-url">
            <code className="truncate" data-testid="route-url">
              {route.url}
            </code>
            <CopyButton text={route.url} label="Copy route URL" testId="copy-route-url" />
          </div>
          {route.description && <p className="route-desc">{route.description}</p>}
        </div>
        <div className="row route-actions">
          <a className="btn small ghost" href={href('catalog', { route: route.path })}>
            Catalog
          </a>
          <a className="btn small ghost" href={href('doctor', { route: route.path })}>
            Doctor
          </a>
          <ClientConfigMenu route={route.path} onPicked={setPicked} />
        </div>
      </header>

      {picked && <ClientConfigSheet picked={picked} onClose={() => setPicked(undefined)} />}

      <div className="route-body">
        <section className="route-section">
          <div className="section-title">Upstreams</div>
          <ul className="upstreams">
            {route.upstreams.map((upstream) => (
              <UpstreamRow key={upstream.name} route={route.path} upstream={upstream} />
            ))}
            {route.upstreams.length === 0 && <li className="muted small">No upstreams configured.</li>}
          </ul>
        </section>

        <section className="route-section">
          <div className="section-title">Authorization</div>
          <AuthFacts route={route} />
        </section>

        <section className="route-section">
          <div className="section-title">Traffic</div>
          <Traffic route={route} />
        </section>
      </div>

      <details className="route-faults" open={faultsOpen} onToggle={(event) => setFaultsOpen(event.currentTarget.open)}>
        <summary>
          <Icon name="chevron" size={12} className="disclosure" />
          <Icon name="bolt" size={13} />
          Fault injection
          <span className="muted small">{faults.length > 0 ? faults.join(' · ') : 'see how your client copes with a broken server'}</span>
        </summary>
        {faultsOpen && (
          <div className="route-faults-body">
            <FaultsPanel route={route} />
          </div>
        )}
      </details>
    </article>
  );
}

function UpstreamRow({ route, upstream }: { route: string; upstream: UpstreamSummary }) {
  const troubled = upstream.state !== 'connected' && upstream.detail;
  const login = useUpstreamLogin(route, upstream);
  return (
    <li className="upstream" data-testid="upstream-row" data-upstream={upstream.name}>
      <HealthBadge state={upstream.state} detail={upstream.detail} />
      <span className="upstream-name">{upstream.name}</span>
      <span className="badge outline">{upstream.kind}</span>
      <code className="upstream-target truncate" title={upstream.target}>
        {upstream.target}
      </code>
      <UpstreamLoginActions upstream={upstream} busy={login.busy} onLogin={login.onLogin} onLogout={login.onLogout} />
      {troubled && <div className={`upstream-detail ${upstream.state === 'error' ? 'danger-text' : 'warn-text'}`}>{upstream.detail}</div>}
      {login.panel}
    </li>
  );
}

function AuthFacts({ route }: { route: RouteSummary }) {
  if (route.auth.mode === 'none') {
    return <p className="muted small">Anyone who can reach this URL can use it: no token is asked for.</p>;
  }
  return (
    <dl className="facts">
      <dt>Issuer</dt>
      <dd className="mono truncate" title={route.auth.issuer}>
        {route.auth.issuer ?? '—'}
      </dd>
      <dt>Scopes</dt>
      <dd className="row wrap">
        {route.auth.scopes.length > 0 ? route.auth.scopes.map((s) => <code key={s} className="scope">{s}</code>) : <span className="muted">none required</span>}
      </dd>
      {route.auth.resourceMetadataUrl && (
        <>
          <dt>Metadata</dt>
          <dd className="row">
            <code className="truncate" title={route.auth.resourceMetadataUrl}>
              {route.auth.resourceMetadataUrl.replace(/^https?:\/\/[^/]+/, '')}
            </code>
            <CopyButton text={route.auth.resourceMetadataUrl} label="Copy metadata URL" />
          </dd>
        </>
      )}
    </dl>
  );
}

function Traffic({ route }: { route: RouteSummary }) {
  const t = route.traffic;
  return (
    <div className="stats" data-testid="route-traffic">
      <Stat label="requests" value={formatCount(t.requests)} />
      <Stat label="errors" value={formatCount(t.errors)} tone={t.errors > 0 ? 'danger' : undefined} />
      <Stat label="denied" value={formatCount(t.denied)} tone={t.denied > 0 ? 'warn' : undefined} />
      <Stat label="p50" value={formatMs(t.p50Ms)} />
      <Stat label="p95" value={formatMs(t.p95Ms)} />
      <div className="stat-foot muted xs">last request {formatAgo(t.lastAt)}</div>
    </div>
  );
}

function Stat({ label, value, tone }: { label: string; value: string; tone?: 'danger' | 'warn' }) {
  return (
    <div className="stat">
      <div className={`stat-value ${tone ? `${tone}-text` : ''}`}>{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}

function activeFaults(faults: FaultSet): string[] {
  const on: string[] = [];
  if (faults.drop_resource_metadata) on.push('no resource_metadata');
  if (faults.hide_path_metadata) on.push('path metadata 404');
  if (faults.require_scope) on.push(`step-up ${faults.require_scope}`);
  if (faults.upstream_delay_ms) on.push(`+${faults.upstream_delay_ms} ms`);
  if (faults.upstream_failure) on.push('upstream failing');
  return on;
}
