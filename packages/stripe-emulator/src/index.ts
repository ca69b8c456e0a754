export { startStripeEmulator, type EmulatorOptions, type StripeEmulator } from './emulator';
export { signWebhookPayload } from './webhook-signature';
export type { WebhookDelivery, WebhookEndpoint } from './webhook-dispatcher';
export type { EmittedEventType, EventObject } from './stripe-objects';
export { demoPromotionCodes, type PromotionCodeRecord } from './promotion-codes';
