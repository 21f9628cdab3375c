/** One catalog item: what it is, whether this persona may see and call it and why, and "try it". */
import { useState } from 'react';

import type { CatalogItem } from '../../../shared/admin-api.js';
import { DecisionExplanation } from '../components/DecisionExplanation.js';
import { Icon } from '../components/Icon.js';
import { AnnotationBadges } from './AnnotationBadges.js';
import { SchemaView } from './SchemaView.js';
import { TryItForm } from './TryItForm.js';

interface Props {
  route: string;
  item: CatalogItem;
  /** The demo user the persona is, when it is one (try it needs one). */
  user: string | undefined;
  personaName: string;
  enforced: boolean;
  routeHasAuth: boolean;
  /** The config keeps only a hash of the user's password (try it then asks for it). */
  passwordHashed?: boolean;
}

export function ItemDetail({ route, item, user, personaName, enforced, routeHasAuth, passwordHashed = false }: Props) {
  const [which, setWhich] = useState<'call' | 'list'>(item.visible ? 'call' : 'list');
  const decision = which === 'call' ? item.call : item.list;
  return (
    <div className="item-detail" data-testid="catalog-detail">
      <header className="stack item-detail-head">
        <div className="row">
          <span className="badge outline">{KIND_LABEL[item.kind]}</span>
          {item.upstream && <span className="muted xs">from {item.upstream}</span>}
        </div>
        <h2 className="mono item-name">{item.name}</h2>
        {item.title && item.title !== item.name && <div className="dim">{item.title}</div>}
        <AnnotationBadges annotations={item.annotations} />
      </header>

      {item.description && <p className="item-description">{item.description}</p>}

      <section className={`access ${item.callable ? 'ok' : item.visible ? 'warn' : 'danger'}`} data-testid="catalog-access">
        <div className="row access-head">
          <Icon name={item.callable ? 'check' : 'lock'} size={14} />
          <strong>{accessHeadline(item, personaName)}</strong>
          <span className="spacer" />
          {enforced && (
            <div className="segmented" role="group" aria-label="Which decision">
              <button type="button" aria-pressed={which === 'list'} onClick={() => setWhich('list')}>
                List
              </button>
              <button type="button" aria-pressed={which === 'call'} onClick={() => setWhich('call')}>
                Call
              </button>
            </div>
          )}
        </div>
        {enforced ? <DecisionExplanation decision={decision} compact /> : <p className="muted small">This route has no ACL: everyone who may use the route sees and calls everything.</p>}
      </section>

      {item.kind === 'tools' && <SchemaView schema={item.inputSchema} />}

      {item.kind === 'tools' &&
        (user || !routeHasAuth ? (
          <>
            {!item.callable && (
              <div className="callout warn">
                <Icon name="alert" size={14} />
                <span>The gateway will refuse this call for {personaName}. Try it anyway to see the refusal and the decision it logs.</span>
              </div>
            )}
            <TryItForm key={`${route}:${item.name}:${user ?? ''}`} route={route} user={user} tool={item.name} inputSchema={item.inputSchema} passwordNeeded={routeHasAuth && passwordHashed} />
          </>
        ) : (
          <div className="callout">
            <Icon name="user" size={14} />
            <span>Try it gets its token from the built-in IdP, so it needs a demo user or machine client: pick one above instead of custom claims.</span>
          </div>
        ))}
    </div>
  );
}

const KIND_LABEL = { tools: 'tool', prompts: 'prompt', resources: 'resource', resource_templates: 'resource template' } as const;

function accessHeadline(item: CatalogItem, persona: string): string {
  if (item.callable) return `${persona} can see and use it`;
  if (item.visible) return `${persona} sees it but may not use it`;
  return `Hidden from ${persona}`;
}
