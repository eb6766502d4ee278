// Which Node.js this runs on (config/guides/operations.md, Supported Node.js versions). The
// library targets Node.js 22 LTS and later LTS releases; on 20 it still runs (the test
// suite passes on 20.20) but prints "Unsupported runtime", and Node.js 20 is past its end
// of life, so the IdP says so in its own log too.
export type RuntimeSupport = 'supported' | 'unsupported';

/** The lowest supported release; the same as `engines.node` in package.json. */
export const MINIMUM_NODE = '22.12';

export function runtimeSupport(version: string): RuntimeSupport {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const [minMajor = 0, minMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  return major > minMajor || (major === minMajor && minor >= minMinor) ? 'supported' : 'unsupported';
}
