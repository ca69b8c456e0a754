export * from './firmware';
export * from './compatibility';
export * from './device-ids';
export * from './money';
export * from './install-jobs';
export * from './checkout-sessions';
export * from './rollouts';
