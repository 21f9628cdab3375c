/** One side of an HTTP exchange as the detail pane shows it: headers as a table, then the body. */
import { CopyButton } from '../components/CopyButton.js';
import { headerValue, showBody } from './http-body.js';

export function HeaderTable({ headers }: { headers: Record<string, string> }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <p className="muted small">No headers recorded.</p>;
  return (
    <table className="tr-kv">
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <th>{name}</th>
            <td className="mono">{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BodyView({ body, contentType }: { body: string | undefined; contentType: string | undefined }) {
  const shown = showBody(body, contentType);
  switch (shown.kind) {
    case 'empty':
      return <p className="muted small">No body.</p>;
    case 'form':
      return (
        <table className="tr-kv">
          <tbody>
            {shown.fields.map(([name, value], index) => (
              <tr key={`${name}-${index}`}>
                <th>{name}</th>
                <td className="mono">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'sse':
      return (
        <div className="stack">
          {shown.messages.map((message, index) => (
            <pre key={index} className="code-block tr-code">
              <span className="muted">data: </span>
              {message}
            </pre>
          ))}
        </div>
      );
    case 'json':
    case 'text':
      return (
        <div className="tr-code-wrap">
          <pre className="code-block tr-code">{shown.text}</pre>
          <span className="tr-code-copy">
            <CopyButton text={shown.text} label="Copy body" />
          </span>
        </div>
      );
  }
}

export function HttpMessage({ title, headers, body }: { title: string; headers: Record<string, string>; body: string | undefined }) {
  return (
    <section className="tr-section">
      <h4 className="section-title">{title}</h4>
      <HeaderTable headers={headers} />
      <BodyView body={body} contentType={headerValue(headers, 'content-type')} />
    </section>
  );
}
