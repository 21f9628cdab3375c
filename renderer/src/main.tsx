// The base styles first, so each screen's own CSS (imported by the screens below) overrides them.
import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './App.js';
import { readBootstrap } from './api/admin-bootstrap.js';
import { createAdminClient } from './api/admin-client.js';
import { AdminProvider } from './api/admin-context.js';
import { NoToken } from './screens/NoToken.js';

const root = createRoot(document.getElementById('root')!);
const bootstrap = readBootstrap();

root.render(
  <StrictMode>
    {bootstrap ? (
      <AdminProvider client={createAdminClient(bootstrap)}>
        <App />
      </AdminProvider>
    ) : (
      <NoToken />
    )}
  </StrictMode>,
);
