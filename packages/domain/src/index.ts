export * from './firmware';
export * from './compatibility';
export * from './money';
