import { MemoryRunStore } from '#core/runs/memory-store.js';
import { describeRunStore } from './support/store-contract.js';

describeRunStore('memory', async () => ({ store: new MemoryRunStore(), close: async () => undefined }));
