/**
 * The admin API inside React: one client, one event stream and the live stores it feeds (trace,
 * routes, overview), shared by every screen through context.
 */
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';

import type { AdminStreamMessage, Overview, RouteSummary } from '../../../shared/admin-api.js';
import type { TraceEvent } from '../../../shared/trace-events.js';
import type { AdminClient } from './admin-client.js';
import { TraceStore } from './trace-store.js';

/** Whether the live stream is up: the top bar shows it. */
export type StreamStatus = 'connecting' | 'live' | 'offline';

interface AdminState {
  client: AdminClient;
  trace: TraceStore;
  routes: RouteSummary[];
  overview: Overview | undefined;
  status: StreamStatus;
  /** The last error loading routes or overview, in words. */
  loadError: string | undefined;
  /** Counts config reloads seen on the stream, so screens showing config-derived views reload. */
  configGeneration: number;
}

const AdminContext = createContext<AdminState | undefined>(undefined);

const TRACE_PAGE = 5_000;

export function AdminProvider({ client, children }: { client: AdminClient; children: ReactNode }) {
  const trace = useMemo(() => new TraceStore(), []);
  const [routes, setRoutes] = useState<RouteSummary[]>([]);
  const [overview, setOverview] = useState<Overview>();
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [loadError, setLoadError] = useState<string>();
  const [configGeneration, setConfigGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const fail = (error: unknown) => {
      if (!cancelled) setLoadError(error instanceof Error ? error.message : String(error));
    };

    // Every (re)connect: fetch what the stream did not deliver. `after` makes it cheap.
    const catchUp = async () => {
      try {
        for (let page = 0; page < 4; page++) {
          const after = trace.lastSeq();
          const events = await client.get<TraceEvent[]>(`/api/trace?after=${after}&limit=${TRACE_PAGE}`);
          if (cancelled) return;
          trace.add(events);
          if (events.length < TRACE_PAGE) break;
        }
      } catch (error) {
        fail(error);
      }
    };
    const loadRoutes = () =>
      client.get<RouteSummary[]>('/api/routes').then((r) => {
        if (!cancelled) setRoutes(r);
      }, fail);
    const loadOverview = () =>
      client.get<Overview>('/api/overview').then((o) => {
        if (!cancelled) {
          setOverview(o);
          setLoadError(undefined);
        }
      }, fail);

    let offlineTimer: ReturnType<typeof setTimeout> | undefined;
    const onMessage = (message: AdminStreamMessage) => {
      if (cancelled) return;
      if (message.kind === 'trace') {
        trace.add([message.event]);
        if (message.event.type === 'config.reloaded') setConfigGeneration((g) => g + 1);
      } else if (message.kind === 'routes') {
        setRoutes(message.routes);
      } else if (message.kind === 'hello') {
        setStatus('live');
        if (offlineTimer !== undefined) clearTimeout(offlineTimer);
        // Gatehouse restarted: its seq numbers began again, so the old trace cannot be merged.
        if (message.lastSeq < trace.lastSeq()) trace.clear();
        void catchUp();
        void loadRoutes();
        void loadOverview();
      }
    };
    const stop = client.events(onMessage, (connected) => {
      if (cancelled) return;
      if (connected) return;
      // A brief drop is not worth a red light; a lasting one is.
      if (offlineTimer === undefined) {
        offlineTimer = setTimeout(() => {
          offlineTimer = undefined;
          if (!cancelled) setStatus('offline');
        }, 1_500);
      }
    });
    void loadOverview();
    void loadRoutes();
    void catchUp();
    return () => {
      cancelled = true;
      if (offlineTimer !== undefined) clearTimeout(offlineTimer);
      stop();
    };
  }, [client, trace]);

  const value = useMemo<AdminState>(
    () => ({ client, trace, routes, overview, status, loadError, configGeneration }),
    [client, trace, routes, overview, status, loadError, configGeneration],
  );
  return <AdminContext.Provider value={value}>{children}</AdminContext.Provider>;
}

function useAdminState(): AdminState {
  const state = useContext(AdminContext);
  if (!state) throw new Error('useAdmin() outside <AdminProvider>: wrap the window in <AdminProvider client={…}>.');
  return state;
}

export function useAdmin(): AdminClient {
  return useAdminState().client;
}

/** Every trace event held (oldest first, at most 20,000), re-rendering at most once per frame. */
export function useTrace(): readonly TraceEvent[] {
  const { trace } = useAdminState();
  return useSyncExternalStore(trace.subscribe, trace.snapshot);
}

export function useRoutes(): RouteSummary[] {
  return useAdminState().routes;
}

export function useOverview(): Overview | undefined {
  return useAdminState().overview;
}

/** Goes up by one each time the gateway reloads its config (e.g. after an ACL matrix save). */
export function useConfigGeneration(): number {
  return useAdminState().configGeneration;
}

export function useStreamStatus(): { status: StreamStatus; loadError: string | undefined } {
  const { status, loadError } = useAdminState();
  return { status, loadError };
}
