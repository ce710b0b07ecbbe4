// The identity providers shadowscan knows: registry identities and first-party catalog entries
// name one of these (DESIGN.md "Registry and reconciliation keys per provider").
export const identityProviders = ['okta', 'entra', 'google', 'aws'] as const;
export type IdentityProvider = (typeof identityProviders)[number];
