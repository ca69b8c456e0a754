import { PageHeader } from '../../components/page-header';
import { EmptyState } from '../../components/states';

export const handle = { title: 'Purchases' };

export function Component() {
  return (
    <>
      <PageHeader
        title="Purchases"
        description="Every purchase made for your devices, searchable by device and product."
      />
      <EmptyState title="No purchases yet">
        <p>Purchases appear here once a checkout from the Store Preview is paid.</p>
      </EmptyState>
    </>
  );
}
