import type { ReactNode } from 'react';
import type { MarketplaceItem } from '@repo/schemas';
import { Money } from '../../../components/money';

export function ItemCard({
  item,
  showListing = false,
  children,
}: {
  item: MarketplaceItem;
  showListing?: boolean;
  children?: ReactNode;
}) {
  return (
    <article className="card item-card" aria-labelledby={`item-${item.id}`}>
      <header className="item-card__header">
        <h2 id={`item-${item.id}`}>{item.name}</h2>
        <Money value={item.price} />
      </header>
      {showListing && (
        <span className={`badge ${item.listed ? 'badge--ok' : 'badge--muted'}`}>
          {item.listed ? 'Listed' : 'Unlisted · cannot be bought'}
        </span>
      )}
      <p>{item.description}</p>
      <p className="muted small">
        Runs on:{' '}
        {item.compatibleModels.map((model) => (
          <span key={model} className="chip">
            {model}
          </span>
        ))}
      </p>
      {children}
    </article>
  );
}
