/**
 * `npm run test:chaos`: every scenario at scale (≥ 1,000 jobs in all), one after the other
 * (they share process.env's endpoint variables), then the table. Exits non-zero on any lost
 * job, any unexpected duplicate, a wrong status, a missing DLQ reason, a chain left running,
 * a follow-up chain without its verdict (unless a job of it is in the DLQ) or with a verdict
 * that is not the worst of its jobs' published outcomes, or a leaked token. Duplicates of a scenario marked `knownDuplicates` (the documented
 * at-least-once window, same notificationId) are shown but do not fail the run; conflicting
 * ones (a different notificationId) always do.
 *
 *   npm run test:chaos                       # all scenarios
 *   npm run test:chaos -- alation-5xx bad-input
 *
 * Every AWS call the handler makes is recorded too (test/iam/) and decided against the
 * synthesized function role: a refused call fails the run; so does, on a run of every
 * scenario, a granted action that no call used and no reason explains.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jobStatusDeployment, judgeFunctionCalls } from '../iam/support/function-role';
import { AwsCallLog } from '../support/aws-calls';
import { chainProblems } from './support/chains';
import { captureLogs } from './support/log-capture';
import { runScenario, type ScenarioReport } from './support/scenario';
import { scenarioSpecs } from './support/scenarios';

function failures(r: ScenarioReport): string[] {
  const problems: string[] = [];
  if (r.lost > 0) problems.push(`${r.lost} lost`);
  if (r.duplicates > 0 && !r.knownDuplicates) problems.push(`${r.duplicates} duplicates`);
  if (r.conflictingDuplicates > 0) problems.push(`${r.conflictingDuplicates} conflicting duplicates`);
  if (r.wrongStatus.length > 0) problems.push(`wrong status: ${r.wrongStatus.slice(0, 3).join(', ')}`);
  if (r.unexpected.length > 0) problems.push(`outcomes for unknown jobs: ${r.unexpected.slice(0, 3).join(', ')}`);
  if (r.invalidMissing.length > 0) problems.push(`invalid bodies without their reason: ${r.invalidMissing.slice(0, 3).join(', ')}`);
  if (r.leftOnQueue > 0) problems.push(`${r.leftOnQueue} messages left on the job queue`);
  if (r.tokenLeaks.length > 0) problems.push(`token found in: ${r.tokenLeaks.join(', ')}`);
  if (r.unexpectedVerdicts.length > 0) problems.push(`chain verdicts in a scenario without chains: ${r.unexpectedVerdicts.slice(0, 3).join(', ')}`);
  if (r.chains) problems.push(...chainProblems(r.chains));
  return problems;
}

function table(reports: readonly ScenarioReport[]): string {
  const header = ['scenario', 'jobs', 'outcomes', 'duplicates', 'lost', "DLQ'd (reason)", 'redriven', 'Alation calls', 'requeues', 'faults injected', 's'];
  const rows = reports.map((r) => {
    const dlq = Object.values(r.dlqByReason).reduce((a, b) => a + b, 0);
    return [
      r.name,
      String(r.jobs),
      String(r.outcomes),
      r.knownDuplicates && r.duplicates > 0 ? `${r.duplicates}*` : String(r.duplicates),
      String(r.lost),
      dlq === 0 ? '0' : `${dlq} (${Object.keys(r.dlqByReason).length} reasons)`,
      r.redrivenWithoutReason > 0 ? `${r.redriven} (${r.redrivenWithoutReason} without a reason)` : String(r.redriven),
      String(r.alationCalls),
      String(r.requeues),
      Object.entries(r.faults).map(([k, v]) => `${k} ${v}`).join(', ') || '–',
      (r.durationMs / 1000).toFixed(1),
    ];
  });
  const sum = (pick: (r: ScenarioReport) => number) => String(reports.reduce((a, r) => a + pick(r), 0));
  rows.push([
    '**total**',
    sum((r) => r.jobs),
    sum((r) => r.outcomes),
    sum((r) => r.duplicates),
    sum((r) => r.lost),
    sum((r) => Object.values(r.dlqByReason).reduce((a, b) => a + b, 0)),
    sum((r) => r.redriven),
    sum((r) => r.alationCalls),
    sum((r) => r.requeues),
    '',
    (reports.reduce((a, r) => a + r.durationMs, 0) / 1000).toFixed(1),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const logs = captureLogs();
  const foreign = createServer((_req, res) => res.end('{}'));
  let foreignRequests = 0;
  foreign.on('request', () => (foreignRequests += 1));
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  const foreignBaseUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  const specs = scenarioSpecs('chaos', { foreignBaseUrl });
  const selected = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = selected.length > 0 ? selected : Object.keys(specs);
  const reports: ScenarioReport[] = [];
  const awsCalls = new AwsCallLog();
  const started = Date.now();
  try {
    for (const name of names) {
      const spec = specs[name];
      if (!spec) throw new Error(`no scenario ${name}; there are: ${Object.keys(specs).join(', ')}`);
      logs.print(`▶ ${name} (${spec.jobs} jobs) … `);
      const report = await runScenario(spec, logs.lines, { awsCalls });
      logs.lines.length = 0; // scanned by the scenario; keep memory flat
      reports.push(report);
      const problems = failures(report);
      logs.print(`${problems.length === 0 ? 'ok' : `FAILED: ${problems.join('; ')}`} (${(report.durationMs / 1000).toFixed(1)} s)\n`);
    }
  } finally {
    logs.restore();
    await new Promise((resolve) => foreign.close(resolve));
  }

  console.log(`\n${table(reports)}\n`);
  const known = reports.filter((r) => r.knownDuplicates && r.duplicates > 0);
  for (const r of known) console.log(`* ${r.name}: ${r.knownDuplicates}; ${r.conflictingDuplicates} with a different notificationId.`);
  for (const r of reports) {
    const c = r.chains;
    if (!c) continue;
    const verdicts = Object.values(c.verdictsByStatus).reduce((a, b) => a + b, 0);
    console.log(
      `\nChains (${r.name}): ${r.jobs - c.followUps} roots, ${c.followUps} follow-ups watched, ${c.unwatchedNamed} named and not watched (too deep or too many); ` +
        `${c.chains} chains, ${verdicts} verdicts (${Object.entries(c.verdictsByStatus).map(([k, v]) => `${k} ${v}`).join(', ')}), ` +
        `${c.duplicates} repeated (${c.conflictingDuplicates} with another notificationId), ${c.missing.length} missing, ${c.openWithDlq} open with a job in the DLQ (${r.unreached} follow-ups below it never sent), ${c.wrong.length} wrong.`,
    );
  }
  for (const r of reports) {
    if (Object.keys(r.dlqByReason).length > 0) console.log(`\nDLQ reasons (${r.name}):\n${Object.entries(r.dlqByReason).map(([k, v]) => `  ${v} × ${k}`).join('\n')}`);
  }
  console.log(`\nrequests to a foreign base URL: ${foreignRequests}`);
  const iam = await judgeFunctionCalls(jobStatusDeployment(), awsCalls);
  // A run of some scenarios need not take every path, so unused grants only count on a full run.
  const iamProblems = [...iam.refused.map((r) => `refused: ${r}`), ...(selected.length > 0 ? [] : [...iam.unexplained.map((g) => `granted, never used, no reason: ${g}`), ...iam.staleReasons.map((r) => `reason that explains nothing: ${r}`)])];
  console.log(`AWS calls of the handler: ${awsCalls.calls.length} (${iam.verdicts.length} distinct requests), decided against the function role: ${iamProblems.length === 0 ? 'all allowed' + (selected.length > 0 ? '' : ', every grant used or explained') : `\n  ${iamProblems.join('\n  ')}`}`);
  console.log(`wall time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const failed = reports.filter((r) => failures(r).length > 0);
  if (foreignRequests > 0) console.log('FAILED: a message made the watcher call another host');
  if (failed.length > 0) console.log(`FAILED: ${failed.map((r) => `${r.name} (${failures(r).join('; ')})`).join('; ')}`);
  if (iamProblems.length > 0) console.log('FAILED: the function role does not fit the calls (see above)');
  return failed.length > 0 || foreignRequests > 0 || iamProblems.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
