// The sign-in area's tests (the throttle, the CSRF-guarded forms) in one process.
import '../unit/throttle.test.js';
import '../unit/form.test.js';
