/** The catalog's items grouped by kind; hidden or uncallable ones dimmed with a one-line why. */
import type { CatalogItem } from '../../../shared/admin-api.js';
import type { ItemKind } from '../../../shared/policy.js';
import { Icon } from '../components/Icon.js';
import { AnnotationBadges } from './AnnotationBadges.js';

const KIND_TITLES: Record<ItemKind, string> = { tools: 'Tools', prompts: 'Prompts', resources: 'Resources', resource_templates: 'Resource templates' };
const KIND_ORDER: ItemKind[] = ['tools', 'prompts', 'resources', 'resource_templates'];

export function itemKey(item: CatalogItem): string {
  return `${item.kind}:${item.name}`;
}

interface Props {
  items: CatalogItem[];
  selected: string | undefined;
  onSelect: (key: string) => void;
}

export function CatalogList({ items, selected, onSelect }: Props) {
  const groups = KIND_ORDER.map((kind) => ({ kind, items: items.filter((i) => i.kind === kind) })).filter((g) => g.items.length > 0);
  return (
    <div
      className="catalog-list"
      role="listbox"
      aria-label="Catalog items"
      tabIndex={0}
      onKeyDown={(event) => {
        if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
        event.preventDefault();
        const flat = groups.flatMap((g) => g.items);
        const at = flat.findIndex((i) => itemKey(i) === selected);
        const next = flat[Math.max(0, Math.min(flat.length - 1, at + (event.key === 'ArrowDown' ? 1 : -1)))];
        if (next) {
          onSelect(itemKey(next));
          document.getElementById(`catalog-item-${itemKey(next)}`)?.scrollIntoView({ block: 'nearest' });
        }
      }}
    >
      {groups.map((group) => (
        <div key={group.kind} className="catalog-group">
          <div className="catalog-group-title section-title">
            {KIND_TITLES[group.kind]}
            <span className="muted">
              {group.items.filter((i) => i.visible).length}/{group.items.length}
            </span>
          </div>
          {group.items.map((item) => (
            <div
              key={itemKey(item)}
              id={`catalog-item-${itemKey(item)}`}
              role="option"
              aria-selected={selected === itemKey(item)}
              className={`catalog-item ${item.visible ? '' : 'hidden-item'} ${!item.callable && item.visible ? 'uncallable' : ''} ${selected === itemKey(item) ? 'selected' : ''}`}
              onClick={() => onSelect(itemKey(item))}
              data-testid="catalog-item"
              data-name={item.name}
              data-kind={item.kind}
              data-visible={item.visible}
              data-callable={item.callable}
            >
              <div className="row">
                {!item.visible ? (
                  <Icon name="lock" size={12} className="item-state hidden-icon" />
                ) : !item.callable ? (
                  <Icon name="alert" size={12} className="item-state warn-text" />
                ) : (
                  <span className="item-state ok-dot" />
                )}
                <code className="catalog-item-name truncate">{item.name}</code>
                <span className="spacer" />
                <AnnotationBadges annotations={item.annotations} />
              </div>
              {item.visible && item.callable ? (
                item.description && <div className="catalog-item-desc">{item.description}</div>
              ) : (
                <div className="catalog-item-why" data-testid="catalog-item-why">
                  {item.visible ? 'listed but not callable: ' : 'hidden: '}
                  {(item.visible ? item.call : item.list).reason}
                </div>
              )}
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
