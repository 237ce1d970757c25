/** What every route sees: node's request (for the client's address) and the demo's shared parts. */
import type { HttpBindings } from '@hono/node-server';

export interface WebEnv {
  Bindings: HttpBindings;
  Variables: {
    /** Where jobs live, as the footer shows it. */
    store: string;
  };
}
