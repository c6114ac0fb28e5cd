// The bundles' `undici` (tsconfig.json `paths`; types stay undici's own). @actions/http-client
// imports undici's ProxyAgent at the top of its module, only for getAgentDispatcher(), a fetch
// dispatcher that neither this action nor @actions/core calls; the real undici was 40 % of a bundle
// and a third of its start-up. Should anything construct it, it fails loudly here.
export const UNDICI_STUB_MESSAGE =
  'undici is not bundled with this action (scripts/resolve/undici): something constructed ' +
  "@actions/http-client's fetch dispatcher, which the action never uses.";

export class ProxyAgent {
  constructor() {
    throw new Error(UNDICI_STUB_MESSAGE);
  }
}
