import { formatMoney } from '@repo/domain';
import type { Money as MoneyValue } from '@repo/schemas';

export function Money({ value }: { value: MoneyValue }) {
  return (
    <span className="money">
      {value.amount === 0 ? 'Free' : formatMoney(value.amount, value.currency)}
    </span>
  );
}
