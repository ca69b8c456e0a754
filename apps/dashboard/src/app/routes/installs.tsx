import { PageHeader } from '../../components/page-header';
import { EmptyState } from '../../components/states';

export const handle = { title: 'Installs' };

export function Component() {
  return (
    <>
      <PageHeader
        title="Installs"
        description="Releases queued for, and installed on, your devices."
      />
      <EmptyState title="No installs yet">
        <p>Installs appear here once a purchased product is queued for a device.</p>
      </EmptyState>
    </>
  );
}
