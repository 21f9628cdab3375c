/**
 * The window's shell: navigation on the left, the gateway's address and live status on top, one
 * screen at a time chosen by the URL hash (so every view is a link).
 */
import { useEffect, type ReactNode } from 'react';

import { useOverview, useRoutes, useStreamStatus } from './api/admin-context.js';
import { BrandMark } from './components/BrandMark.js';
import { CopyButton } from './components/CopyButton.js';
import { Icon, type IconName } from './components/Icon.js';
import { SCREENS, href, navigate, useLocation, type Screen } from './navigation.js';
import { AclMatrixScreen } from './screens/AclMatrixScreen.js';
import { CatalogScreen } from './screens/CatalogScreen.js';
import { DecisionsScreen } from './screens/DecisionsScreen.js';
import { DoctorScreen } from './screens/DoctorScreen.js';
import { RoutesScreen } from './screens/RoutesScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { TestClientScreen } from './screens/TestClientScreen.js';
import { TraceScreen } from './screens/TraceScreen.js';

const NAV: Record<Screen, { label: string; icon: IconName; group: 'gateway' | 'debug' | 'app' }> = {
  routes: { label: 'Routes', icon: 'routes', group: 'gateway' },
  catalog: { label: 'Catalog', icon: 'catalog', group: 'gateway' },
  acl: { label: 'ACL matrix', icon: 'acl', group: 'gateway' },
  handshake: { label: 'Handshake', icon: 'handshake', group: 'debug' },
  decisions: { label: 'Decisions', icon: 'decisions', group: 'debug' },
  'test-client': { label: 'Test client', icon: 'test-client', group: 'debug' },
  doctor: { label: 'Doctor', icon: 'doctor', group: 'debug' },
  settings: { label: 'Settings', icon: 'settings', group: 'app' },
};

const GROUPS: Array<{ id: 'gateway' | 'debug' | 'app'; title?: string }> = [
  { id: 'gateway', title: 'Gateway' },
  { id: 'debug', title: 'Debug' },
  { id: 'app' },
];

/** Keyboard order: ⌘1…8 (Alt+1…8 off macOS) follows the sidebar from top to bottom. */
const ORDER = GROUPS.flatMap((g) => SCREENS.filter((s) => NAV[s].group === g.id));

function renderScreen(screen: Screen): ReactNode {
  switch (screen) {
    case 'routes':
      return <RoutesScreen />;
    case 'catalog':
      return <CatalogScreen />;
    case 'handshake':
      return <TraceScreen />;
    case 'decisions':
      return <DecisionsScreen />;
    case 'acl':
      return <AclMatrixScreen />;
    case 'test-client':
      return <TestClientScreen />;
    case 'doctor':
      return <DoctorScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

export function App() {
  const { screen } = useLocation();
  useShortcuts();
  useEffect(() => {
    document.title = `${NAV[screen].label} · Gatehouse`;
  }, [screen]);

  return (
    <div className="app">
      <Sidebar current={screen} />
      <div className="main">
        <TopBar title={NAV[screen].label} />
        <main className="screen" data-testid={`screen-${screen}`} key={screen}>
          {renderScreen(screen)}
        </main>
      </div>
    </div>
  );
}

function Sidebar({ current }: { current: Screen }) {
  const routes = useRoutes();
  const troubled = routes.some((r) => r.upstreams.some((u) => u.state === 'error' || u.state === 'auth_needed'));
  return (
    <nav className="sidebar" aria-label="Screens">
      <div className="brand">
<BrandMark />
        <span className="brand-name">Gatehouse</span>
      </div>
      {GROUPS.map((group) => (
        <div className="nav-group" key={group.id}>
          {group.title && <div className="nav-group-title">{group.title}</div>}
          {SCREENS.filter((s) => NAV[s].group === group.id).map((s) => (
            <a
              key={s}
              href={href(s)}
              className={s === current ? 'nav-link active' : 'nav-link'}
              aria-current={s === current ? 'page' : undefined}
              data-testid={`nav-${s}`}
              title={`${NAV[s].label} (${shortcutLabel(ORDER.indexOf(s) + 1)})`}
            >
              <Icon name={NAV[s].icon} />
              <span>{NAV[s].label}</span>
              {s === 'routes' && troubled && <span className="nav-dot warn" aria-label="an upstream needs attention" />}
            </a>
          ))}
        </div>
      ))}
      <div className="sidebar-foot">
        <kbd>{isMac() ? '⌘' : 'Alt'}</kbd>
        <kbd>1</kbd>–<kbd>8</kbd> switch · <kbd>/</kbd> filter
      </div>
    </nav>
  );
}

function TopBar({ title }: { title: string }) {
  const overview = useOverview();
  const { status, loadError } = useStreamStatus();
  return (
    <header className="topbar">
      <h1 className="topbar-title">{title}</h1>
      {overview && (
        <div className="topbar-gateway">
          <span className="muted">Gateway</span>
          <code data-testid="gateway-url">{overview.gatewayUrl}</code>
          <CopyButton text={overview.gatewayUrl} label="Copy gateway URL" />
        </div>
      )}
      <div className="topbar-spacer" />
      {overview?.demo && <span className="badge accent" title="Running the built-in demo: shop API, server-everything and the built-in IdP">demo</span>}
      {overview?.configPath && (
        <span className="topbar-config muted" title={overview.configPath}>
          {basename(overview.configPath)}
        </span>
      )}
      <span className={`status-pill ${status}`} data-testid="stream-status" title={loadError ?? statusHelp(status)}>
        <span className="status-dot" />
        {status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Offline'}
      </span>
      {overview && <span className="muted small">v{overview.version}</span>}
    </header>
  );
}

function statusHelp(status: string): string {
  if (status === 'live') return 'Receiving trace events as they happen';
  if (status === 'connecting') return 'Connecting to the admin event stream';
  return 'The admin event stream dropped; reconnecting. Is Gatehouse still running?';
}

function useShortcuts(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      // ⌘ on macOS; Alt elsewhere, since a browser keeps Ctrl+digit for its tabs (Electron accepts either).
      const modifier = isMac() ? event.metaKey : event.altKey || event.ctrlKey;
      if (modifier && !event.shiftKey && /^Digit[1-8]$/.test(event.code)) {
        event.preventDefault();
        navigate(ORDER[Number(event.code.slice(5)) - 1]);
        return;
      }
      if (event.key === '/' && !isTyping(event.target)) {
        const search = document.querySelector<HTMLInputElement>('[data-search]');
        if (search) {
          event.preventDefault();
          search.focus();
          search.select();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function isMac(): boolean {
  return /Mac|iPhone|iPad/.test(navigator.platform);
}

function shortcutLabel(n: number): string {
  return `${isMac() ? '⌘' : 'Alt+'}${n}`;
}

function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
