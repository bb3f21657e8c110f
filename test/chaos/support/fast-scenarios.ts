import { afterAll, beforeAll } from 'vitest';
import { captureLogs, type LogCapture } from './log-capture';
import { runScenario, type RunScenarioOptions, type ScenarioReport, type ScenarioSpec } from './scenario';
import { scenarioSpecs } from './scenarios';

/**
 * The fast-scale scenarios for one vitest file: captures the file's log lines (the token
 * scan and the logged reasons read them) and runs a scenario by name.
 */
export function fastScenarios(): { specs: Record<string, ScenarioSpec>; run(name: string, options?: RunScenarioOptions): Promise<ScenarioReport> } {
  const specs = scenarioSpecs('fast', { foreignBaseUrl: 'http://127.0.0.1:9' });
  let logs: LogCapture;
  beforeAll(() => {
    logs = captureLogs();
  });
  afterAll(() => logs.restore());
  return {
    specs,
    run(name, options) {
      const spec = specs[name];
      if (!spec) throw new Error(`no scenario named ${name}`);
      return runScenario(spec, logs.lines, options);
    },
  };
}
