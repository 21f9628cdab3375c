import type { AdminRequestError } from '../api/admin-client.js';
import { Icon } from './Icon.js';

/** An admin API error in words, with its field problems listed. */
export function ErrorCallout({ error, title }: { error: AdminRequestError; title?: string }) {
  return (
    <div className="callout danger" role="alert" data-testid="error-callout">
      <Icon name="alert" size={14} />
      <div className="stack" style={{ gap: 4 }}>
        {title && <strong>{title}</strong>}
        <span>{error.body.message}</span>
        {error.body.problems && error.body.problems.length > 0 && (
          <ul className="problems">
            {error.body.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
