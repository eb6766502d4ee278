// The storage area's tests (sealing, records, the sealed store and the memory backend,
// with the store and record-backend contracts) in one process.
import '../unit/seal.test.js';
import '../unit/memory-store-lifecycle.test.js';
import '../unit/memory-store.test.js';
import '../unit/sealed-store.test.js';
