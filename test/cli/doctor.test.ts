/**
 * `doctor` against the local stack `npm start` builds: fauxqs, the Secrets Manager and
 * control-plane stand-ins, the Alation simulator and the local event source mapping, with the
 * real SDK clients. Each test breaks one thing and reads that check's line.
 */
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctorCommand, DoctorExitCode, type DoctorReport } from '../../shared/cli/doctor';
import { startLocalJobWatch, type LocalJobWatch } from '../../shared/local/job-watch';
import { startAlationSimulator, type AlationSimulator } from '../../shared/local/simulator';
import { runCommand } from './operator-helpers';

const REFRESH_TOKEN = 'doctor-refresh-token-value';
const USER_ID = 7;
const DAY_MS = 86_400_000;
let sim: AlationSimulator;
let watch: LocalJobWatch;

beforeAll(async () => {
  sim = await startAlationSimulator({ refreshTokens: [{ refreshToken: REFRESH_TOKEN, userId: USER_ID }] });
  watch = await startLocalJobWatch({
    alationBaseUrl: sim.url,
    tokenSecretValue: { refreshToken: REFRESH_TOKEN, userId: USER_ID },
    subscribers: [{ name: 'failures', filterPolicy: { status: ['failed'], kind: ['qli'] } }],
  });
});
afterAll(async () => {
  await watch?.stop();
  await sim?.stop();
});

async function doctor(...extra: string[]): Promise<{ code: number; out: string; report: DoctorReport }> {
  const clients = () => ({ ...watch.aws.clients() });
  const text = await runCommand((io, set) => doctorCommand({ ...io, clients }, set), ['--stack', watch.stackName, ...extra]);
  const json = await runCommand((io, set) => doctorCommand({ ...io, clients }, set), ['--stack', watch.stackName, '--json', ...extra]);
  expect(json.code).toBe(text.code);
  return { code: text.code, out: text.out, report: JSON.parse(json.out) as DoctorReport };
}

const check = (report: DoctorReport, id: string) => report.checks.find((c) => c.id === id)!;

describe('doctor on the local stack', () => {
  it('reports a healthy stack with every check passed and exit code 0', async () => {
    const { code, out, report } = await doctor();

    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['stack', 'pass'],
      ['function', 'pass'],
      ['event-source-mapping', 'pass'],
      ['secret', 'pass'],
      ['token', 'pass'],
      ['job-status-probe', 'pass'],
      ['job-queue', 'pass'],
      ['dead-letter-queue', 'pass'],
      ['subscriptions', 'pass'],
      ['alarms', 'pass'],
    ]);
    expect(code).toBe(DoctorExitCode.healthy);
    expect(report.healthy).toBe(true);
    expect(out).toContain('✓ Event source mapping');
    expect(check(report, 'event-source-mapping').details[0]).toMatch(/Enabled, batch size 10, .*ReportBatchItemFailures on/);
    expect(check(report, 'token').details[0]).toMatch(/accepts the token; it expires .* in 59 days/);
    expect(check(report, 'subscriptions').details.join('\n')).toContain('only outcomes where status is failed, and kind is qli');
  });

  it('never prints the token, in text or JSON', async () => {
    const { out, report } = await doctor();

    expect(out).not.toContain(REFRESH_TOKEN);
    expect(JSON.stringify(report)).not.toContain(REFRESH_TOKEN);
  });

  it('warns, still healthy, when the refresh token expires within the warning window', async () => {
    sim.setRefreshTokenExpiry(REFRESH_TOKEN, Date.now() + 5 * DAY_MS + 60_000);

    const { code, report } = await doctor();

    expect(check(report, 'token')).toMatchObject({ status: 'warn', details: [expect.stringMatching(/in 5 days: fewer than 14 days left/)] });
    expect(code).toBe(DoctorExitCode.healthy);
    sim.setRefreshTokenExpiry(REFRESH_TOKEN, Date.now() + 60 * DAY_MS);
  });

  it('fails the DLQ check and names the redrive command when the DLQ holds a message', async () => {
    await watch.aws.clients().sqs.send(new SendMessageCommand({ QueueUrl: watch.resources.deadLetterQueue.url, MessageBody: '{"jobId": 1}' }));

    const { code, out, report } = await doctor();

    expect(check(report, 'dead-letter-queue')).toMatchObject({ status: 'fail', details: ['1 message', expect.any(String)] });
    expect(out).toContain(`alation-job-watch redrive --stack ${watch.stackName}`);
    expect(code).toBe(DoctorExitCode.unhealthy);
  });

  it('fails the subscriptions check for a subscription still pending confirmation', async () => {
    await watch.aws.clients().sns.send(new SubscribeCommand({ TopicArn: watch.resources.outcomeTopic.arn, Protocol: 'email', Endpoint: 'oncall@example.com' }));

    const { report } = await doctor();

    const subscriptions = check(report, 'subscriptions');
    expect(subscriptions.status).toBe('fail');
    expect(subscriptions.details).toContainEqual(expect.stringMatching(/^PENDING email oncall@example\.com/));
    expect(subscriptions.fix).toContain('confirmation');
  });

  it('fails the mapping check with the command that enables it when the mapping is disabled', async () => {
    await watch.disableMapping();

    const { report } = await doctor();

    expect(check(report, 'event-source-mapping')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/update-event-source-mapping --uuid \S+ --enabled/) });
  });

  it('fails the token and probe checks when Alation has revoked the refresh token', async () => {
    sim.revokeRefreshToken(REFRESH_TOKEN);

    const { code, report } = await doctor();

    expect(check(report, 'token')).toMatchObject({ status: 'fail', details: [expect.stringContaining('REVOKED')] });
    expect(check(report, 'job-status-probe')).toMatchObject({ status: 'fail', details: [expect.stringContaining('HTTP 401')] });
    expect(code).toBe(DoctorExitCode.unhealthy);
  });

  it('reports an unknown stack as a failed check, not a crash', async () => {
    const run = await runCommand((io, set) => doctorCommand({ ...io, clients: () => watch.aws.clients() }, set), ['--stack', 'no-such-stack', '--json']);

    const report = JSON.parse(run.out) as DoctorReport;
    expect(check(report, 'stack')).toMatchObject({ status: 'fail', details: [expect.stringContaining('does not exist')] });
    expect(check(report, 'function').status).toBe('unknown');
    expect(run.code).toBe(DoctorExitCode.unhealthy);
  });
});

describe('doctor without permissions or answers', () => {
  const denied = { send: async () => Promise.reject(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' })) };
  const silent = { send: (_command: unknown, options?: { abortSignal?: AbortSignal }) => new Promise((_, reject) => options?.abortSignal?.addEventListener('abort', () => reject(new Error('aborted')))) };
  const clientsOf = (client: object) => () => ({ cloudFormation: client, lambda: client, sqs: client, sns: client, secretsManager: client, cloudWatch: client }) as never;

  it('reports a missing permission as a check it could not run (exit 4), not a crash', async () => {
    const run = await runCommand((io, set) => doctorCommand({ ...io, clients: clientsOf(denied) }, set), ['--stack', 'any', '--json']);

    const report = JSON.parse(run.out) as DoctorReport;
    expect(check(report, 'stack')).toMatchObject({ status: 'unknown', details: ['no permission (AccessDeniedException)'] });
    expect(report.checks.every((c) => c.status === 'unknown')).toBe(true);
    expect(run.code).toBe(DoctorExitCode.incomplete);
  });

  it('gives up on a check that does not answer within its timeout', async () => {
    const started = Date.now();

    const run = await runCommand((io, set) => doctorCommand({ ...io, clients: clientsOf(silent) }, set), ['--stack', 'any', '--json', '--timeout-seconds', '1']);

    expect(check(JSON.parse(run.out) as DoctorReport, 'stack')).toMatchObject({ status: 'unknown', details: ['timed out after 1000 ms'] });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
