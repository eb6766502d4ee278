// The policy area's tests in one process: Stryker's command runner starts this once per
// mutant, so one start-up instead of one per file.
import '../unit/policy-clients.test.js';
import '../unit/policy-deployment.test.js';
import '../unit/policy-lifetimes.test.js';
import '../unit/policy-profiles.test.js';
import '../unit/policy-requests.test.js';
