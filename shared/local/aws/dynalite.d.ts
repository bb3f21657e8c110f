// dynalite 4 ships no type declarations; this covers the part the local stand-ins use.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** Options of dynalite 4 (see node_modules/dynalite/index.js). */
  interface DynaliteOptions {
    /** Milliseconds a new table stays CREATING. @default 500 */
    createTableMs?: number;
    /** Milliseconds a deleted table stays DELETING. @default 500 */
    deleteTableMs?: number;
    /** Milliseconds an updated table stays UPDATING. @default 500 */
    updateTableMs?: number;
    /** Maximum item size in KB. @default 400 */
    maxItemSizeKb?: number;
    /** LevelDB directory; in memory when absent. */
    path?: string;
    verbose?: boolean;
    debug?: boolean;
    ssl?: boolean;
  }

  /** Returns an HTTP server (not yet listening) that speaks the DynamoDB API. */
  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}
