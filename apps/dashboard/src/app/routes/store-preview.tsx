import type { QueryClient } from '@tanstack/react-query';
import { useParams, type LoaderFunctionArgs } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { useMe } from '../../features/auth/api/queries';
import { useBasket } from '../../features/checkout/basket';
import { useCheckoutMode } from '../../features/checkout/checkout-mode';
import { BasketBar } from '../../features/checkout/components/basket-bar';
import { PaymentLinkForm } from '../../features/developers/components/payment-link-form';
import { marketplaceItemsQueryOptions } from '../../features/marketplaces/api/queries';
import { ItemList } from '../../features/marketplaces/components/item-list';

export const handle = { title: 'Store Preview' };

export const loader =
  (queryClient: QueryClient) =>
  async ({ params }: LoaderFunctionArgs) => {
    await queryClient.prefetchQuery(marketplaceItemsQueryOptions(params.instanceId!, true));
    return null;
  };

export function Component() {
  const instanceId = useParams().instanceId!;
  const { data: me } = useMe();
  const basket = useBasket(instanceId);
  const [mode] = useCheckoutMode();
  const canBuy = me?.user.role === 'admin';
  return (
    <>
      <PageHeader
        title="Store Preview"
        description="Your store exactly as a customer sees it: listed products only."
      />
      {canBuy && (
        <BasketBar
          instanceId={instanceId}
          itemCount={basket.itemIds.length}
          deviceCount={basket.deviceIds.length}
          mode={mode}
        />
      )}
      {canBuy && basket.itemIds.length > 0 && (
        <PaymentLinkForm
          // A new basket starts a new form, prefilled with its devices.
          key={basket.itemIds.join()}
          instanceId={instanceId}
          itemIds={basket.itemIds}
          deviceIds={basket.deviceIds}
          mode={mode}
        />
      )}
      <ItemList
        instanceId={instanceId}
        listedOnly
        actions={
          canBuy
            ? (item) => {
                const inBasket = basket.itemIds.includes(item.id);
                const label = inBasket ? 'In basket — remove' : 'Add to basket';
                return (
                  <button
                    type="button"
                    className={`button ${inBasket ? '' : 'button--primary'} item-card__action`}
                    // The name starts with the words on the button, so voice control finds it.
                    aria-label={`${label}: ${item.name}`}
                    onClick={() => basket.toggleItem(item.id)}
                  >
                    {label}
                  </button>
                );
              }
            : undefined
        }
      />
    </>
  );
}
