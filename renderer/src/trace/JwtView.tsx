/**
 * A decoded JWT (the server decodes it and never sends the signature): the header, a claims table
 * with what each claim means, and an expiry countdown that ticks.
 */
import { claimRows, describeExpiry } from './jwt-claims.js';
import { useNow } from './use-now.js';

export interface DecodedJwt {
  where: string;
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export function JwtView({ jwt }: { jwt: DecodedJwt }) {
  const now = useNow();
  const expiry = describeExpiry(jwt.claims.exp, now);
  return (
    <div className="tr-jwt" data-testid="jwt">
      <div className="row wrap">
        <span className="badge accent">JWT</span>
        <span className="small dim">{jwt.where}</span>
        <code className="small muted">{jwt.token}</code>
        <span className="spacer" />
        {expiry && (
          <span className={`badge ${expiry.expired ? 'danger' : 'ok'}`} data-testid="jwt-expiry">
            {expiry.text}
          </span>
        )}
      </div>
      <div className="tr-jwt-header mono xs">
        {Object.entries(jwt.header).map(([name, value]) => (
          <span key={name}>
            <span className="muted">{name}</span> {typeof value === 'string' ? value : JSON.stringify(value)}
          </span>
        ))}
      </div>
      <table className="tr-kv">
        <tbody>
          {claimRows(jwt.claims).map((row) => (
            <tr key={row.name}>
              <th>{row.name}</th>
              <td>
                <span className="mono">{row.value}</span>
                {row.note && <span className="muted xs tr-claim-note">{row.note}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
