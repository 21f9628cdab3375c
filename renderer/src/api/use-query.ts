/**
 * Loads something from the admin API and keeps it with its loading and error state; the key
 * decides when to load again (a different route, persona…). Answers to stale keys are dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

import { AdminRequestError } from './admin-client.js';

export interface Query<T> {
  data: T | undefined;
  error: AdminRequestError | undefined;
  loading: boolean;
  reload: () => void;
  /** Replace the data by hand (e.g. with what a save returned). */
  set: (data: T) => void;
}

export function useQuery<T>(key: string | undefined, load: () => Promise<T>): Query<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<AdminRequestError>();
  const [loading, setLoading] = useState(false);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (key === undefined) {
      setData(undefined);
      return;
    }
    let current = true;
    setLoading(true);
    loadRef.current().then(
      (value) => {
        if (!current) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (cause: unknown) => {
        if (!current) return;
        setError(toAdminError(cause));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload, set: setData };
}

export function toAdminError(cause: unknown): AdminRequestError {
  if (cause instanceof AdminRequestError) return cause;
  return new AdminRequestError(0, { error: 'window_error', message: cause instanceof Error ? cause.message : String(cause) });
}
