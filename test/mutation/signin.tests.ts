// The sign-in area's tests (the login throttle, the CSRF-guarded forms) in one process.
import '../unit/login-throttle.test.js';
import '../unit/form.test.js';
