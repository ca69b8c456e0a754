export * from './common';
export * from './auth';
export * from './marketplaces';
export * from './devices';
export * from './checkout';
export * from './purchases';
export * from './installs';
export * from './device-detail';
