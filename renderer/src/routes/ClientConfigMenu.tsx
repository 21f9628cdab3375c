/**
 * "Copy client config": one click copies a ready config for Cursor, Claude Desktop, VS Code or
 * Claude Code; the route card then shows where it goes and what that client needs to know.
 */
import { useEffect, useRef, useState } from 'react';

import type { ClientConfigSnippet } from '../../../shared/admin-api.js';
import { useAdmin } from '../api/admin-context.js';
import { useQuery } from '../api/use-query.js';
import { copyText } from '../components/clipboard.js';
import { CopyButton } from '../components/CopyButton.js';
import { Icon } from '../components/Icon.js';

export interface PickedConfig {
  snippet: ClientConfigSnippet;
  copied: boolean;
}

export function ClientConfigMenu({ route, onPicked }: { route: string; onPicked: (picked: PickedConfig) => void }) {
  const admin = useAdmin();
  const [open, setOpen] = useState(false);
  const [asked, setAsked] = useState(false);
  const configs = useQuery(asked ? route : undefined, () => admin.get<ClientConfigSnippet[]>(`/api/client-configs?route=${encodeURIComponent(route)}`));
  const menuRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !menuRef.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener('mousedown', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('mousedown', close);
      window.removeEventListener('keydown', close);
    };
  }, [open]);

  const pick = async (snippet: ClientConfigSnippet) => {
    setOpen(false);
    onPicked({ snippet, copied: await copyText(snippet.content) });
  };

  return (
    <div className="client-config" ref={menuRef}>
      <button
        type="button"
        className="btn small"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => {
          setAsked(true);
          setOpen((o) => !o);
        }}
        data-testid="copy-config-button"
      >
        <Icon name="copy" size={13} />
        Copy client config
        <Icon name="down" size={12} />
      </button>
      {open && (
        <div className="menu client-config-menu" role="menu">
          {configs.loading && !configs.data && <div className="menu-item muted">Loading…</div>}
          {configs.error && <div className="menu-note danger-text">{configs.error.body.message}</div>}
          {configs.data?.map((c) => (
            <button key={c.client} type="button" role="menuitem" className="menu-item" onClick={() => void pick(c)} data-testid={`client-config-${c.client}`}>
              <span className="stack menu-item-text">
                <span>{c.title}</span>
                <span className="muted xs mono truncate" title={c.file}>
                  {c.language === 'shell' ? 'a command to run' : (c.file ?? '')}
                </span>
              </span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

/** What was just copied, where it goes, and the client's notes for this route. */
export function ClientConfigSheet({ picked, onClose }: { picked: PickedConfig; onClose: () => void }) {
  const { snippet, copied } = picked;
  return (
    <div className="client-config-sheet" data-testid="client-config-snippet" data-client={snippet.client}>
      <div className="row">
        <span className={copied ? 'badge ok' : 'badge warn'}>
          <Icon name={copied ? 'check' : 'alert'} size={11} />
          {copied ? 'Copied' : 'Clipboard blocked — copy below'}
        </span>
        <strong>{snippet.title}</strong>
        <span className="muted small truncate">
          {snippet.language === 'shell' ? (
            'run it in a terminal'
          ) : snippet.file ? (
            <>
              paste into <code>{snippet.file}</code>
            </>
          ) : null}
        </span>
        <span className="spacer" />
        <CopyButton text={snippet.content} label="Copy again" />
        <button type="button" className="btn ghost icon-btn" aria-label="Close" onClick={onClose}>
          <Icon name="x" size={13} />
        </button>
      </div>
      <pre className="code-block">{snippet.content}</pre>
      {snippet.notes.length > 0 && (
        <ul className="client-config-notes">
          {snippet.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
