import { serve } from './serve.js';

/** Composition root entry: `npm start`. See src/opsroom.ts for how the parts are put together. */
void serve().then((code) => process.exit(code)); // a rejection crashes the process with its stack
