// The bundles' `@aws-sdk/credential-provider-node` (tsconfig.json `paths`; types stay the SDK's).
// @aws-sdk/client-sts imports the SDK's default credential chain at the top of its runtime config,
// for clients given no credentials. Only the ambient and use-existing-credentials paths use it, so
// the chain lives in a chunk of its own, loaded on a provider's first call.
export function defaultProvider(init) {
  let chain;
  return async (props) => {
    chain ??= import('@aws-sdk/credential-provider-node/dist-cjs/index.js').then((sdk) =>
      (sdk.defaultProvider ? sdk : sdk.default).defaultProvider(init),
    );
    return (await chain)(props);
  };
}
