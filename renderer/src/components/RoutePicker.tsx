import { useRoutes } from '../api/admin-context.js';

/** A select of the gateway's routes, by path. */
export function RoutePicker({ value, onChange, testId = 'route-picker' }: { value: string | undefined; onChange: (route: string) => void; testId?: string }) {
  const routes = useRoutes();
  return (
    <select className="select mono" value={value ?? ''} onChange={(event) => onChange(event.target.value)} aria-label="Route" data-testid={testId}>
      {value === undefined && <option value="">no routes</option>}
      {value !== undefined && !routes.some((r) => r.path === value) && <option value={value}>{value}</option>}
      {routes.map((route) => (
        <option key={route.path} value={route.path}>
          {route.path}
        </option>
      ))}
    </select>
  );
}
