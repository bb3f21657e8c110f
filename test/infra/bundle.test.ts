import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENTRY } from '../../infra/alation-job-watch';
import { RUNTIME_PROVIDED_MODULES } from '../../infra/bundling';
import { AlationJobWatchStack } from '../../infra/job-watch-stack';
import { BASE_URL } from './helpers';

// The budget keeps cold starts short. The AWS SDK is bundled; only the credential providers
// a Lambda function never reaches are left to the runtime (infra/bundling.ts).
const MAX_BUNDLE_BYTES = 500 * 1024;

describe('the job-status bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'alation-job-watch-cdk-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  // The one test that bundles the real handler with the local esbuild (no Docker),
  // with the built-in CloudFormation schema validation on.
  it('bundles the real handler as minified ESM with a source map, under 500 KB', () => {
    const app = new App({ outdir });
    new AlationJobWatchStack(app, 'AlationJobWatch', { alationBaseUrl: BASE_URL, entry: DEFAULT_ENTRY });

    const assembly = app.synth();

    const assets = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = join(assembly.directory, assets[0] as string);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    const size = statSync(join(dir, 'index.mjs')).size;
    console.info(`job-status bundle: ${(size / 1024).toFixed(1)} KB (map ${(statSync(join(dir, 'index.mjs.map')).size / 1024).toFixed(1)} KB)`);

    expect(code.startsWith("import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);")).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    const sdkImports = [...code.matchAll(/(?:from\s*|import\()["'](@aws-sdk\/[a-z-]+)["']/g)].map((m) => m[1]);
    expect(sdkImports.length).toBeGreaterThan(0);
    for (const name of sdkImports) expect(RUNTIME_PROVIDED_MODULES).toContain(name);
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//); // none at init: all are imported on demand
    expect(size).toBeLessThan(MAX_BUNDLE_BYTES);
  }, 120_000);
});
