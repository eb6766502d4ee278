// The storage area's tests (sealing, records, the memory store) in one process.
import '../unit/seal.test.js';
import '../unit/memory-store-lifecycle.test.js';
import '../unit/memory-store.test.js';
