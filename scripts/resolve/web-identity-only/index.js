// What the refresher's and the command line's bundles get for two of the SDK's optional parts
// (tsconfig.web-identity-only.json). They make only unsigned AssumeRoleWithWebIdentity calls: no
// credentials to find, no event stream. Each name fails loudly if something ever uses it. One module
// for both names, so that @smithy/core's import() of event streams finds it already loaded: no chunk.

export const NOT_BUNDLED_MESSAGE =
  'is not bundled with this program (scripts/resolve/web-identity-only): it makes only unsigned ' +
  'AssumeRoleWithWebIdentity calls.';

/** @aws-sdk/credential-provider-node. The STS client calls it when built; asking for credentials fails. */
export function defaultProvider() {
  return async () => {
    throw new Error(`The SDK's default credential chain ${NOT_BUNDLED_MESSAGE}`);
  };
}

/** @smithy/core/event-streams, which @smithy/core imports for operations with an event stream. */
export function eventStreamSerdeProvider() {
  throw new Error(`@smithy/core/event-streams ${NOT_BUNDLED_MESSAGE}`);
}

export class EventStreamSerde {
  constructor() {
    throw new Error(`@smithy/core/event-streams ${NOT_BUNDLED_MESSAGE}`);
  }
}
