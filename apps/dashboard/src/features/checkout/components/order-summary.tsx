import { formatMoney } from '@repo/domain';
import type { CheckoutMode, Quote } from '@repo/schemas';
import { ModeBadge } from './mode-badge';

export function OrderSummary({ quote, mode }: { quote: Quote; mode: CheckoutMode }) {
  const money = (amount: number) => formatMoney(amount, quote.currency);
  return (
    <table className="summary">
      <caption>
        Order summary <ModeBadge mode={mode} />
      </caption>
      <tbody>
        {quote.lines.map((line) => (
          <tr key={line.itemId}>
            <th scope="row">
              {line.name} <span className="muted">× {line.quantity}</span>
            </th>
            <td>{line.unitAmount === 0 ? 'Free' : money(line.amount)}</td>
          </tr>
        ))}
        <tr className="summary__fee">
          <th scope="row">Marketplace platform fee (included)</th>
          <td>{money(quote.platformFee)}</td>
        </tr>
        <tr className="summary__total">
          <th scope="row">Total to pay</th>
          <td>{money(quote.total)}</td>
        </tr>
      </tbody>
    </table>
  );
}
