/**
 * A form generated from the tool's input schema that calls the tool through the built-in test
 * client as the chosen demo user, and shows the result or the gateway's refusal.
 */
import { useEffect, useMemo, useRef, useState } from 'react';

import type { ToolCallOutcome } from '../../../shared/admin-api.js';
import type { AdminRequestError } from '../api/admin-client.js';
import { useAdmin } from '../api/admin-context.js';
import { toAdminError } from '../api/use-query.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { Icon } from '../components/Icon.js';
import { formatMs } from '../format.js';
import { href } from '../navigation.js';
import { buildArguments, initialValues, schemaFields, type FormValues, type SchemaField } from './schema-form.js';
import { hasSession, tryCall } from './try-call.js';

interface Props {
  route: string;
  /** The demo user to call as; undefined on a route without auth. */
  user: string | undefined;
  tool: string;
  inputSchema: Record<string, unknown> | undefined;
  /** The config keeps only a hash of the user's password: it must be typed to sign in. */
  passwordNeeded?: boolean;
}

export function TryItForm({ route, user, tool, inputSchema, passwordNeeded = false }: Props) {
  const admin = useAdmin();
  const fields = useMemo(() => schemaFields(inputSchema), [inputSchema]);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields));
  const [rawMode, setRawMode] = useState(false);
  const [rawText, setRawText] = useState('{}');
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [running, setRunning] = useState(false);
  const [password, setPassword] = useState('');
  const askPassword = passwordNeeded && !hasSession(route, user);
  const [outcome, setOutcome] = useState<ToolCallOutcome>();
  const [error, setError] = useState<AdminRequestError>();
  const answerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (outcome || error) answerRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [outcome, error]);

  const switchMode = (raw: boolean) => {
    if (raw) {
      const built = buildArguments(fields, values);
      setRawText(JSON.stringify(built.ok ? built.arguments : {}, null, 2));
    }
    setRawMode(raw);
  };

  const run = async () => {
    let args: Record<string, unknown>;
    if (rawMode) {
      try {
        const parsed: unknown = JSON.parse(rawText);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        args = parsed as Record<string, unknown>;
      } catch {
        setProblems({ '': 'The arguments must be a JSON object, e.g. {"orderId": "1042"}.' });
        return;
      }
    } else {
      const built = buildArguments(fields, values);
      if (!built.ok) {
        setProblems(built.problems);
        return;
      }
      args = built.arguments;
    }
    setProblems({});
    setRunning(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      setOutcome(await tryCall(admin, route, user, tool, args, askPassword ? password : undefined));
    } catch (cause) {
      setError(toAdminError(cause));
    } finally {
      setRunning(false);
    }
  };

  return (
    <form
      className="try-it"
      data-testid="try-it"
      onSubmit={(event) => {
        event.preventDefault();
        void run();
      }}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
          event.preventDefault();
          void run();
        }
      }}
    >
      <div className="row">
        <div className="section-title">Try it</div>
        <span className="muted xs">as {user ?? 'anonymous'}, through the test client</span>
        <span className="spacer" />
        <div className="segmented" role="group" aria-label="Arguments editor">
          <button type="button" aria-pressed={!rawMode} onClick={() => switchMode(false)}>
            Form
          </button>
          <button type="button" aria-pressed={rawMode} onClick={() => switchMode(true)}>
            JSON
          </button>
        </div>
      </div>

      {rawMode ? (
        <textarea
          className={`textarea ${problems[''] ? 'invalid' : ''}`}
          rows={6}
          value={rawText}
          spellCheck={false}
          onChange={(event) => setRawText(event.target.value)}
          aria-label="Arguments as JSON"
          data-testid="try-it-json"
        />
      ) : (
        <div className="try-fields">
          {fields.length === 0 && <p className="muted small">This tool takes no arguments.</p>}
          {fields.map((field) => (
            <FieldInput key={field.name} field={field} value={values[field.name] ?? ''} problem={problems[field.name]} onChange={(v) => setValues((all) => ({ ...all, [field.name]: v }))} />
          ))}
        </div>
      )}
      {problems[''] && <div className="danger-text small">{problems['']}</div>}

      {askPassword && (
        <label className="field">
          <span className="field-label">Password of {user}</span>
          {/* Uncontrolled, as on the Test client screen: React does not mirror a password into the markup. */}
          <input
            className="input"
            type="password"
            autoComplete="off"
            data-testid="try-it-password"
            placeholder="stored hashed — type it"
            title={`The config keeps only a hash of ${user ?? 'this user'}'s password, so signing in needs it typed once.`}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
      )}

      <div className="row">
        <button type="submit" className="btn primary" disabled={running || (askPassword && !password)} data-testid="try-it-run">
          <Icon name="play" size={12} />
          {running ? 'Calling…' : `Call ${tool}`}
        </button>
        <span className="muted xs">
          <kbd>{navigator.platform.includes('Mac') ? '⌘' : 'Ctrl'}</kbd>+<kbd>↵</kbd>
        </span>
      </div>

      <div ref={answerRef}>
        {error && <ErrorCallout error={error} title="The call did not run" />}
        {outcome && <CallOutcome outcome={outcome} />}
      </div>
    </form>
  );
}

function FieldInput({ field, value, problem, onChange }: { field: SchemaField; value: string; problem?: string; onChange: (value: string) => void }) {
  const id = `try-${field.name}`;
  let control;
  if (field.control === 'enum') {
    control = (
      <select id={id} className="select" value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{field.required ? 'choose…' : '—'}</option>
        {field.options?.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else if (field.control === 'boolean') {
    control = (
      <select id={id} className="select" value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">—</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else if (field.control === 'json') {
    control = <textarea id={id} className={`textarea ${problem ? 'invalid' : ''}`} rows={3} value={value} spellCheck={false} onChange={(event) => onChange(event.target.value)} />;
  } else {
    control = (
      <input
        id={id}
        className={`input ${problem ? 'invalid' : ''}`}
        type={field.control === 'text' ? 'text' : 'number'}
        step={field.control === 'integer' ? 1 : 'any'}
        value={value}
        spellCheck={false}
        onChange={(event) => onChange(event.target.value)}
        data-testid={`try-field-${field.name}`}
      />
    );
  }
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">
        {field.name}
        {field.required && <span className="required">*</span>}
        <span className="muted mono field-type">{field.summary}</span>
      </span>
      {control}
      {problem ? <span className="danger-text xs">{problem}</span> : field.description && <span className="field-hint">{field.description}</span>}
    </label>
  );
}

function CallOutcome({ outcome }: { outcome: ToolCallOutcome }) {
  const result = outcome.result as { isError?: boolean; content?: Array<{ type: string; text?: string }> } | undefined;
  const failed = !outcome.ok || result?.isError === true;
  const texts = result?.content?.filter((c) => c.type === 'text' && typeof c.text === 'string').map((c) => prettyText(c.text!)) ?? [];
  return (
    <div className={`call-outcome ${failed ? 'failed' : 'ok'}`} data-testid="try-it-result" data-ok={!failed}>
      <div className="row">
        <span className={`badge ${failed ? 'danger' : 'ok'}`}>{outcome.error ? `refused · ${outcome.error.code}` : result?.isError ? 'tool error' : 'ok'}</span>
        <span className="muted xs">{formatMs(outcome.durationMs)}</span>
        <span className="spacer" />
        <a className="xs" href={href('decisions', { item: outcome.tool })}>
          Decisions
        </a>
        <a className="xs" href={href('handshake')}>
          Trace
        </a>
      </div>
      {outcome.error && <p className="call-error">{outcome.error.message}</p>}
      {texts.length > 0 ? texts.map((text, i) => <pre key={i} className="code-block">{text}</pre>) : outcome.result !== undefined && <pre className="code-block">{JSON.stringify(outcome.result, null, 2)}</pre>}
    </div>
  );
}

/** Tool results are often JSON in a text block: indent it so it can be read. */
function prettyText(text: string): string {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return text;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return text;
  }
}
