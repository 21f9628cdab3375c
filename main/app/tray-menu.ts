/**
 * The tray (menu-bar) icon's menu: what the gateway is doing at a glance, each route's URL one
 * click from the clipboard, the window, and quit. Built from the running gateway each time it
 * changes, so a reloaded config shows up without a restart.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** What the tray needs to know of the gateway (RunningGateway satisfies it). */
export interface TrayGateway {
  readonly port: number;
  readonly routes: ReadonlyMap<string, unknown>;
  url(routePath: string): string;
}

export interface TrayActions {
  copy(text: string): void;
  openWindow(): void;
  quit(): void;
}

export function gatewayStatusLine(gateway: TrayGateway): string {
  const count = gateway.routes.size;
  return `Gateway on :${gateway.port} — ${count} ${count === 1 ? 'route' : 'routes'}`;
}

export function trayMenuTemplate(gateway: TrayGateway, actions: TrayActions): MenuItemConstructorOptions[] {
  const routes = [...gateway.routes.keys()].sort();
  const copyItems: MenuItemConstructorOptions[] =
    routes.length === 0
      ? [{ label: 'No routes configured', enabled: false }]
      : routes.map((route) => {
          const url = gateway.url(route);
          return { label: url, toolTip: `Copy ${url}`, click: () => actions.copy(url) };
        });
  return [
    { label: gatewayStatusLine(gateway), enabled: false },
    { type: 'separator' },
    { label: 'Copy route URL', submenu: copyItems },
    { type: 'separator' },
    { label: 'Open window', click: () => actions.openWindow() },
    { label: 'Quit Gatehouse', click: () => actions.quit() },
  ];
}
