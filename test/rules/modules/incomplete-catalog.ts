// A catalog module that breaks the contract (no attachCatalogs), for the attach test.
export const version = 1;
