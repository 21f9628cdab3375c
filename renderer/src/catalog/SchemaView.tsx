/** A tool's input schema: a compact table of its parameters, or the raw JSON. */
import { useState } from 'react';

import { schemaFields } from './schema-form.js';

export function SchemaView({ schema }: { schema: Record<string, unknown> | undefined }) {
  const [raw, setRaw] = useState(false);
  const fields = schemaFields(schema);
  return (
    <div className="schema-view">
      <div className="row">
        <div className="section-title">Input</div>
        <span className="spacer" />
        <div className="segmented" role="group" aria-label="Schema view">
          <button type="button" aria-pressed={!raw} onClick={() => setRaw(false)}>
            Fields
          </button>
          <button type="button" aria-pressed={raw} onClick={() => setRaw(true)}>
            JSON
          </button>
        </div>
      </div>
      {raw ? (
        <pre className="code-block schema-raw">{JSON.stringify(schema ?? {}, null, 2)}</pre>
      ) : fields.length === 0 ? (
        <p className="muted small">No parameters.</p>
      ) : (
        <table className="schema-table">
          <tbody>
            {fields.map((field) => (
              <tr key={field.name}>
                <td className="schema-name">
                  <code>{field.name}</code>
                  {field.required && (
                    <span className="required" title="required">
                      *
                    </span>
                  )}
                </td>
                <td>
                  <div className="schema-type mono">{field.summary}</div>
                  {field.description && <div className="schema-desc">{field.description}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
