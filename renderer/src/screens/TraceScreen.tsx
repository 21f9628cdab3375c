/** The handshake trace: every client connection as a sequence diagram, and every trace event. */
import { useTrace } from '../api/admin-context.js';
import { useLocation } from '../navigation.js';
import { TraceView } from '../trace/TraceView.js';

export function TraceScreen() {
  const events = useTrace();
  const { params } = useLocation();
  return <TraceView events={events} initialMode={params.get('view') === 'events' ? 'events' : 'connections'} />;
}
