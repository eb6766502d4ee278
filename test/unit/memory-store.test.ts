// The store contract on the embedded memory store.
import { createMemoryStore } from '../../src/storage/memory.js';
import { storeContract } from '../contract/store-contract.js';

storeContract('memory', (sealer) => Promise.resolve({ store: createMemoryStore(sealer, { sweepIntervalMs: 60_000 }) }));
