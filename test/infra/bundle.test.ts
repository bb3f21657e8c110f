import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { ALATION_CA_FILE, DEFAULT_ENTRY } from '../../infra/alation-job-watch';
import { makeTestPki } from '../support/tls';
import { CREATE_REQUIRE_BANNER, RUNTIME_PROVIDED_MODULES } from '../../infra/bundling';
import { AlationJobWatchStack } from '../../infra/job-watch-stack';
import { BASE_URL, FIXTURE_ENTRY } from './helpers';

// The budget keeps cold starts short. The AWS SDK is bundled; only the credential providers
// a Lambda function never reaches are left to the runtime (infra/bundling.ts).
const MAX_BUNDLE_BYTES = 500 * 1024;

/** `./chunk.mjs` files a module imports: statically (loaded with it) and through `import()`. */
function relativeImports(code: string): { static: string[]; dynamic: string[] } {
  return {
    static: [...code.matchAll(/(?:\bfrom\s*|\bimport\s*)["']\.\/([^"']+)["']/g)].map((m) => m[1] as string),
    dynamic: [...code.matchAll(/\bimport\(\s*["']\.\/([^"']+)["']\s*\)/g)].map((m) => m[1] as string),
  };
}

describe('the job-status bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'alation-job-watch-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  // The one test that bundles the real handler through the stack (local esbuild, no Docker),
  // with the built-in CloudFormation schema validation on.
  it('bundles the real handler as minified ESM chunks with source maps, under 500 KB, the publish path left out of the init', () => {
    const app = new App({ outdir });
    // The job-status asset alone (the token check bundles its own, with the same bundler).
    new AlationJobWatchStack(app, 'AlationJobWatch', { alationBaseUrl: BASE_URL, entry: DEFAULT_ENTRY, tokenCheck: false });

    const assembly = app.synth();

    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = join(assembly.directory, assets[0] as string);
    const files = readdirSync(dir);
    const modules = files.filter((f) => f.endsWith('.mjs'));
    expect(modules).toContain('index.mjs');
    expect(files.filter((f) => f.endsWith('.map')).sort()).toEqual(modules.map((f) => `${f}.map`).sort());
    expect(files).toHaveLength(modules.length * 2);
    const code = new Map(modules.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

    for (const [file, text] of code) {
      expect(text.startsWith(CREATE_REQUIRE_BANNER), file).toBe(true);
      expect(text, file).toContain(`//# sourceMappingURL=${file}.map`);
      const imports = relativeImports(text);
      for (const target of [...imports.static, ...imports.dynamic]) expect(modules, `${file} imports ${target}`).toContain(target);
      // Besides Node's built-ins, the only packages left out are the SDK's on-demand credential
      // providers, which the runtime has; none is imported at init.
      const packages = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^."'/][^"']*)["']/g)].map((m) => m[1] as string);
      for (const name of packages.filter((p) => !p.startsWith('node:'))) expect(RUNTIME_PROVIDED_MODULES, `${file} imports ${name}`).toContain(name);
      expect(text).not.toMatch(/from\s*["']@aws-sdk\//);
    }
    expect(code.get('index.mjs')).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);

    // What a cold start loads: index.mjs and the chunks it imports statically, transitively.
    const atInit = new Set<string>();
    const visit = (file: string) => {
      if (atInit.has(file)) return;
      atInit.add(file);
      for (const next of relativeImports(code.get(file) ?? '').static) visit(next);
    };
    visit('index.mjs');
    const initCode = [...atInit].map((f) => code.get(f)).join('\n');
    // SNS and DynamoDB (and Powertools idempotency with them) come only with the first outcome.
    expect(initCode).toContain('AmazonSQS');
    expect(initCode).not.toContain('AmazonSimpleNotificationService');
    expect(initCode).not.toContain('DynamoDB_20120810');
    expect([...code.values()].some((text) => text.includes('AmazonSimpleNotificationService'))).toBe(true);

    const bytes = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    const total = bytes(modules);
    console.info(`job-status bundle: ${modules.length} files, ${(total / 1024).toFixed(1)} KB, of which loaded at init ${(bytes(atInit) / 1024).toFixed(1)} KB`);
    expect(total).toBeLessThan(MAX_BUNDLE_BYTES);
  }, 120_000);

  it('gives two entries of one folder two assets', () => {
    const app = new App({ outdir: mkdtempSync(join(outdir, 'two-')) });
    const other = join(FIXTURE_ENTRY, '../other-handler.ts');
    const stacks = [FIXTURE_ENTRY, other].map((entry, i) => new AlationJobWatchStack(app, `Watch${i}`, { alationBaseUrl: BASE_URL, entry }));
    const keys = stacks.map((stack) => {
      const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find((r) => r.Properties?.Handler === 'index.handler');
      return JSON.stringify(fn?.Properties?.Code);
    });
    expect(keys[0]).toMatch(/S3Key/);
    expect(keys[0]).not.toEqual(keys[1]);
  }, 60_000);

  it('ships the private CA file in the asset, as NODE_EXTRA_CA_CERTS names it, and a new CA makes a new asset', () => {
    const [first, second] = [makeTestPki('First'), makeTestPki('Second')];
    const app = new App({ outdir: mkdtempSync(join(outdir, 'ca-')) });
    const stacks = [first, second].map(
      // The job-status asset alone; the token check ships the same CA file (token-check.test.ts).
      (pki, i) => new AlationJobWatchStack(app, `Ca${i}`, { alationBaseUrl: BASE_URL, entry: FIXTURE_ENTRY, alationCaCertificatePath: pki.caPath, tokenCheck: false }),
    );
    const assembly = app.synth();

    const codeOf = (stack: AlationJobWatchStack) =>
      JSON.stringify(Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).find((r) => r.Properties?.Handler === 'index.handler')?.Properties?.Code);
    expect(codeOf(stacks[0]!)).not.toEqual(codeOf(stacks[1]!));
    const shipped = readdirSync(assembly.directory)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => readFileSync(join(assembly.directory, name, ALATION_CA_FILE), 'utf8'));
    expect(shipped.sort()).toEqual([readFileSync(first.caPath, 'utf8'), readFileSync(second.caPath, 'utf8')].sort());
  }, 60_000);
});
