import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One policy measured on one workload. */
export interface FrontierPoint {
  readonly policy: string;
  readonly workload: string;
  readonly checksPerJob: number;
  readonly p95DelaySeconds: number;
}

/**
 * The trade-off chart: checks per job against p95 detection delay, one point per policy and
 * workload, both axes logarithmic (the anchors span three orders of magnitude). Vega-Lite
 * compiled to Vega and rendered by Vega's headless SVG renderer: no browser, no canvas.
 */
export async function frontierSvg(points: readonly FrontierPoint[]): Promise<string> {
  const spec: TopLevelSpec = {
    title: { text: 'Checks per job against p95 detection delay', subtitle: 'lower left is better; both axes logarithmic' },
    width: 560,
    height: 340,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'point', filled: true, size: 110, opacity: 0.85 },
    encoding: {
      x: { field: 'p95DelaySeconds', type: 'quantitative', scale: { type: 'log' }, title: 'p95 detection delay (s)' },
      y: { field: 'checksPerJob', type: 'quantitative', scale: { type: 'log' }, title: 'mean checks per job' },
      color: { field: 'policy', type: 'nominal', title: 'policy' },
      shape: { field: 'workload', type: 'nominal', title: 'workload' },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
