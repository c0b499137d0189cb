/** oidc-provider 9 ships no type declarations; the test provider (oidc-provider.ts) uses the few calls it needs. */
declare module 'oidc-provider';
