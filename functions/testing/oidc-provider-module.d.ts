// oidc-provider ships no type declarations; only the test provider (testing/oidc-provider.ts) uses it.
declare module 'oidc-provider' {
  const Provider: any;
  export default Provider;
}
