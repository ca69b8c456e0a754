import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import type { CheckoutMode, Overview } from '@repo/schemas';
import { purchasesPerItem } from '../aggregate';
import { formatCount, plural } from '../../../lib/format';
import { formatAmount } from '../format';
import { CHART_COLOURS, ChartFigure, legendText } from '../../../components/chart-figure';

const MODE_NAMES: Record<CheckoutMode, string> = { live: 'Live', test: 'Test' };

/** How many purchases each product had in the range, live and test stacked. */
export function PurchasesByItemChart({ overview }: { overview: Overview }) {
  const modes: CheckoutMode[] = overview.mode ? [overview.mode] : ['live', 'test'];
  const items = purchasesPerItem(overview);
  const [top] = items;
  const total = items.reduce((sum, i) => sum + i.live + i.test, 0);
  return (
    <ChartFigure
      title="Purchases per product"
      height={Math.max(140, 48 * items.length + 70)}
      summary={
        top
          ? `${plural(total, 'purchase')} of ${plural(items.length, 'product')}; most bought: ${top.itemName} (${formatCount(top.live + top.test)}).`
          : 'No purchases in this range.'
      }
      table={
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Product</th>
              {modes.map((m) => (
                <th key={m} scope="col">
                  {MODE_NAMES[m]} purchases
                </th>
              ))}
              <th scope="col">Refunds</th>
              <th scope="col">Paid</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.itemId}>
                <th scope="row">{item.itemName}</th>
                {modes.map((m) => (
                  <td key={m}>{formatCount(item[m])}</td>
                ))}
                <td>{formatCount(item.refunds)}</td>
                <td>{item.gross.map((g) => formatAmount(g.amount, g.currency)).join(' + ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <BarChart data={items} layout="vertical" accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" allowDecimals={false} />
        <YAxis type="category" dataKey="itemName" width={110} tick={{ fontSize: 12 }} />
        <Tooltip />
        <Legend formatter={legendText} />
        {modes.map((m) => (
          <Bar
            key={m}
            dataKey={m}
            name={`${MODE_NAMES[m]} purchases`}
            stackId="purchases"
            fill={CHART_COLOURS[m]}
          />
        ))}
      </BarChart>
    </ChartFigure>
  );
}
