/** Every route the gateway serves, live: health, auth, traffic, client configs and faults. */
import { useOverview, useRoutes, useStreamStatus } from '../api/admin-context.js';
import { Icon } from '../components/Icon.js';
import { RouteCard } from '../routes/RouteCard.js';
import '../routes/routes.css';

export function RoutesScreen() {
  const routes = useRoutes();
  const overview = useOverview();
  const { loadError } = useStreamStatus();

  return (
    <div className="screen-pad routes-screen">
      <div className="routes-intro row">
        <span className="muted small">
          {routes.length} route{routes.length === 1 ? '' : 's'} on {overview?.gatewayUrl ?? 'the gateway'}
          {overview?.idp && (
            <>
              {' '}
              · built-in IdP <code>{overview.idp.issuer}</code>
            </>
          )}
        </span>
      </div>
      {loadError && routes.length === 0 && (
        <div className="callout danger">
          <Icon name="alert" size={14} />
          <span>{loadError}</span>
        </div>
      )}
      {routes.length === 0 && !loadError && (
        <div className="empty">
          <h3>No routes yet</h3>
          <span>Add a route to your config file; Gatehouse reloads it as soon as you save.</span>
        </div>
      )}
      <div className="route-list">
        {routes.map((route) => (
          <RouteCard key={route.path} route={route} />
        ))}
      </div>
    </div>
  );
}
