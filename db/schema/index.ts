export * from './tenancy';
export * from './bots';
export * from './knowledge';
export * from './conversations';
export * from './channels';
export * from './webhooks';
export * from './analytics';
export * from './flows';
