// A real browser for the page tests: Debian's chromium driven by playwright-core (never a
// downloaded browser), headless, with a fresh profile; axe-core for accessibility; a
// watch for Content-Security-Policy violations.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'screenshots');
export const MISSING = 'BROWSER SUITE DID NOT RUN: apt-get install -y chromium';

/** undefined when the suite can run; otherwise why it cannot (CI=true turns that into a failure). */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : MISSING;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'idp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    viewport: { width: 1000, height: 900 },
  });
  // Runs before any page script, outside the page's CSP: collect CSP violations.
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Console messages that report a CSP violation, per page. */
export function watchConsole(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) seen.push(msg.text());
  });
  return seen;
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

/** Inline <script> elements (with content or without a src) on the page. */
export async function inlineScripts(page: Page): Promise<number> {
  return page.$$eval('script', (scripts) => scripts.filter((s) => !s.src).length);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** axe-core's WCAG 2 A/AA rules on the current page; evaluated by the DevTools protocol, so the page's CSP does not stop it. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * A browser suite's `skip` option: false when chromium is there or CI=true (then the suite's
 * "chromium is installed" test fails instead); otherwise the reason, said loudly once.
 */
export function browserSuiteSkip(): string | false {
  if (!browserMissing() || process.env.CI === 'true') return false;
  process.stderr.write(`\n\n  ******************************************************\n  ${MISSING}\n  ******************************************************\n\n`);
  return MISSING;
}

/** Minor and moderate axe findings per page, kept to print after a suite (they do not fail it). */
export type AxeReport = Record<string, string[]>;

/**
 * The checks every page gets: a screenshot, no serious or critical accessibility violation
 * (minor ones go to `report`), no CSP violation, no inline script.
 */
export async function checkPage(page: Page, name: string, report: AxeReport): Promise<void> {
  await screenshot(page, name);
  const violations = await axeViolations(page);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${name}: no serious or critical accessibility violations`);
  const minor = violations.map((v) => `${v.id} (${v.impact})`);
  if (minor.length) report[name] = minor;
  assert.deepEqual(await cspViolations(page), [], `${name}: no CSP violation`);
  assert.equal(await inlineScripts(page), 0, `${name}: no inline script`);
}

export function printAxeReport(report: AxeReport): void {
  if (Object.keys(report).length) process.stdout.write(`# axe (minor/moderate, not failing): ${JSON.stringify(report)}\n`);
}

/** The password form, as a person fills it in: on a sign-in page already shown. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export interface VirtualAuthenticator {
  cdp: CDPSession;
  authenticatorId: string;
  /** how many passkeys it holds */
  credentials(): Promise<number>;
}

/** A passkey authenticator for `page` (the DevTools protocol's virtual one: resident keys, user verified, presence simulated). */
export async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<VirtualAuthenticator> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId, credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length };
}

export interface BrowserSuite {
  browser: Browser;
  /** the suite's page (a test may open another and put it here: `check` looks at this one) */
  page: Page;
  /** CSP messages on the first page's console */
  consoleCsp: string[];
  /** minor axe findings, printed after the suite */
  report: AxeReport;
  /** {@link checkPage} on the page now shown */
  check(name: string): Promise<void>;
}

/**
 * A browser suite's hooks, registered in the calling `describe`: unless chromium is missing,
 * `start` (the IdP), then Chromium with a page whose console is watched for CSP messages;
 * after the suite the browser closes, then `stop`, and the minor axe findings are printed.
 * A `before` the suite registers after this call runs once the page is open.
 */
export function browserSuite(start: () => Promise<unknown>, stop: () => Promise<unknown>): BrowserSuite {
  const suite = { consoleCsp: [], report: {}, check: (name: string) => checkPage(suite.page, name, suite.report) } as unknown as BrowserSuite;
  before(async () => {
    if (browserMissing()) return;
    await start();
    suite.browser = await launchBrowser();
    suite.page = await suite.browser.context.newPage();
    suite.consoleCsp = watchConsole(suite.page);
  });
  after(async () => {
    await (suite.browser as Browser | undefined)?.close();
    await stop();
    printAxeReport(suite.report);
  });
  return suite;
}
