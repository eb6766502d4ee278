// Sign-in: choosing a password source, and the one throttle for every password form.
import { z } from 'zod';
import { seconds } from './common.js';

const strictLimit = z.strictObject({
  attempts: z.number().int().positive().describe('Password checks (each reserved before it runs; a success gives its reservation back).'),
  window: seconds.describe('Seconds.'),
  blockFor: seconds.describe('Once the attempts are used up: seconds refused.'),
});

/**
 * Login abuse resistance (one throttle for every password form). Strict limits per client
 * address and per (username, address); the username alone is only slowed down; a browser
 * that signed in before (device cookie) is counted on its own. With the Redis store the
 * counts are shared by every replica.
 */
export const login = z.strictObject({
  chooseSource: z.boolean().default(false).describe('With more than one password source (`sources`): the login page lets the person choose theirs, instead of trying them in order.'),
  throttle: z
    .strictObject({
      address: strictLimit
        .default({ attempts: 50, window: 3600, blockFor: 3600 })
        .describe('Password checks from one client address in `window` seconds, whatever the usernames; then the address is refused for `blockFor` seconds. Each try is counted before its password is checked; a success gives its place back.'),
      accountAddress: strictLimit.default({ attempts: 5, window: 900, blockFor: 900 }).describe('The same for one username (existing or not) from one client address.'),
      account: z
        .strictObject({ attempts: z.number().int().positive().describe('Password checks.'), window: seconds.describe('Seconds.') })
        .default({ attempts: 10, window: 300 })
        .describe('Checks of one username from browsers without its device cookie; when used up, tries wait for the window to end (a slow-down, never a lock).'),
      device: strictLimit.default({ attempts: 10, window: 900, blockFor: 900 }).describe('Checks of one username from a browser holding its device cookie : the only limit such a browser meets (not `address`, `accountAddress` or `account`).'),
      deviceTrust: seconds.default(180 * 24 * 3600).describe('Seconds (180 days) a successful sign-in keeps the browser\'s signed device cookie (`idp.device`) valid.'),
      inFlight: z
        .strictObject({
          perAccount: z.number().int().positive().default(2).describe('Per username (a browser with the device cookie is not held to this).'),
          perProcess: z.number().int().positive().default(8).describe('Per process, over all usernames.'),
        })
        .prefault({})
        .describe('Password checks running at once; more get a quick 429 "try again shortly", uncounted.'),
    })
    .prefault({})
    .describe('Login abuse resistance: strict limits per client address and per (username, address), a slow-down per username, device cookies counted on their own; shared by replicas on Redis.'),
});
