/**
 * Once connected: the tools this user sees, a tool's schema beside a JSON arguments editor
 * pre-filled from it, and the outcome of calling it.
 */
import { useMemo, useState } from 'react';

import type { TestClientSession, ToolCallOutcome } from '../../../shared/admin-api.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { useAdmin } from '../api/admin-context.js';
import { toAdminError } from '../api/use-query.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { CallOutcome } from './CallOutcome.js';
import { argumentsTemplate, missingRequired, parseArguments } from './schema-skeleton.js';

type Tool = NonNullable<TestClientSession['tools']>[number];

export function ToolRunner({ session }: { session: TestClientSession }) {
  const tools = session.tools ?? [];
  const [picked, setPicked] = useState<string | undefined>(tools[0]?.name);
  const tool = tools.find((t) => t.name === picked);

  if (tools.length === 0) {
    return (
      <div className="empty small">
        <h3>No tools visible</h3>
        <span>The ACL hides every tool from this user, or the upstream offers none. The Catalog screen says why each one is hidden.</span>
      </div>
    );
  }
  return (
    <div className="tc-tools">
      <ul className="tc-tool-list" role="listbox" aria-label="Tools">
        {tools.map((t) => (
          <li
            key={t.name}
            role="option"
            aria-selected={t.name === picked}
            className={t.name === picked ? 'selected' : ''}
            data-testid="tc-tool"
            data-name={t.name}
            onClick={() => setPicked(t.name)}
          >
            <code>{t.name}</code>
            {t.description && <span className="xs muted truncate">{t.description}</span>}
          </li>
        ))}
      </ul>
      {tool && <ToolForm key={tool.name} sessionId={session.id} tool={tool} />}
    </div>
  );
}

function ToolForm({ sessionId, tool }: { sessionId: string; tool: Tool }) {
  const admin = useAdmin();
  const [text, setText] = useState(() => argumentsTemplate(tool.inputSchema));
  const [outcome, setOutcome] = useState<ToolCallOutcome>();
  const [error, setError] = useState<AdminRequestError>();
  const [calling, setCalling] = useState(false);
  const parsed = useMemo(() => parseArguments(text), [text]);
  const missing = parsed.ok ? missingRequired(tool.inputSchema, parsed.value) : [];

  const call = async () => {
    if (!parsed.ok) return;
    setCalling(true);
    try {
      setOutcome(await admin.send<ToolCallOutcome>('POST', `/api/test-client/sessions/${encodeURIComponent(sessionId)}/call`, { tool: tool.name, arguments: parsed.value }));
      setError(undefined);
    } catch (cause) {
      setError(toAdminError(cause));
    } finally {
      setCalling(false);
    }
  };

  return (
    <div className="tc-tool-form">
      <div className="stack">
        <div className="row">
          <h3 className="mono">{tool.name}</h3>
        </div>
        {tool.description && <p className="small dim tc-desc">{tool.description}</p>}
      </div>
      <div className="tc-editor-grid">
        <label className="field">
          <span className="field-label">Arguments (JSON)</span>
          <textarea
            className={`textarea tc-args${parsed.ok ? '' : ' invalid'}`}
            data-testid="tc-args"
            spellCheck={false}
            rows={10}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) void call();
            }}
          />
          {!parsed.ok && <span className="tc-invalid small">{parsed.message}</span>}
          {missing.length > 0 && <span className="field-hint">Required and missing: {missing.join(', ')}</span>}
        </label>
        <div className="field">
          <span className="field-label">Input schema</span>
          <pre className="code-block tc-code tc-schema">{JSON.stringify(tool.inputSchema ?? { type: 'object' }, null, 2)}</pre>
        </div>
      </div>
      <div className="row">
        <button type="button" className="btn primary" data-testid="tc-call" disabled={!parsed.ok || calling} onClick={() => void call()}>
          <Icon name="play" size={12} /> {calling ? 'Calling…' : 'Call'}
        </button>
        <span className="muted xs">Ctrl/⌘ + Enter</span>
      </div>
      {error && <ErrorCallout error={error} title="The call did not go through" />}
      {outcome && <CallOutcome outcome={outcome} />}
    </div>
  );
}
