// Cold run: one whole action process (OIDC → credentials exported), next to `node -e 0` spawned
// the same way, interleaved so that both see the same machine load.
import { runAction, runEmptyNode, runLoadOnly } from './action.js';
import { startEndpoints } from './endpoints.js';
import { quantile } from './simulate.js';

export interface ColdResult {
  runs: number;
  actionMedianMs: number;
  nodeMedianMs: number;
  /** dist/index.js loaded and stopped at once (no inputs): what loading the bundle costs. */
  loadOnlyMedianMs: number;
  ratio: number;
}

export async function coldRun(runs: number): Promise<ColdResult> {
  const endpoints = await startEndpoints();
  try {
    // One untimed round first: the page cache, not the process, should be warm.
    await runEmptyNode();
    await runAction(endpoints);
    const action: number[] = [];
    const node: number[] = [];
    const loadOnly: number[] = [];
    for (let i = 0; i < runs; i++) {
      node.push(await runEmptyNode());
      loadOnly.push(await runLoadOnly());
      const run = await runAction(endpoints);
      if (run.exitCode !== 0 || !run.exported) {
        throw new Error(`cold run ${i + 1} did not export credentials (exit ${run.exitCode})`);
      }
      action.push(run.wallMs);
    }
    const actionMedianMs = quantile(
      action.sort((a, b) => a - b),
      0.5,
    );
    const nodeMedianMs = quantile(
      node.sort((a, b) => a - b),
      0.5,
    );
    const loadOnlyMedianMs = quantile(
      loadOnly.sort((a, b) => a - b),
      0.5,
    );
    return { runs, actionMedianMs, nodeMedianMs, loadOnlyMedianMs, ratio: actionMedianMs / nodeMedianMs };
  } finally {
    await endpoints.stop();
  }
}
