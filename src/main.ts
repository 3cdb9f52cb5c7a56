import { serve } from './serve.js';

/** Composition root entry: `npm start`. See src/opsroom.ts for how the parts are put together. */
serve().then((code) => process.exit(code));
