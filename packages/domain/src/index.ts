export * from './firmware';
export * from './compatibility';
export * from './money';
export * from './install-jobs';
export * from './checkout-sessions';
