// The device cookie (OWASP's "Slow Down Online Guessing Attacks with Device Cookies"): a
// browser in which a username signed in successfully gets a signed cookie naming that
// username (as a keyed hash) and a random device id. While someone elsewhere is guessing
// that username's password, its owner's browser is counted on its own (throttle.ts) and
// keeps signing in. Signed with the cookie keys, so it cannot be made up; it names the
// username, so one from the attacker's own account does not help against another; it
// carries its issue time, so an old copy stops counting after `deviceTrust`.
import { createHmac, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { normaliseUsername } from './throttle.js';

const COOKIE = 'idp.device';
/** usernames remembered per browser (a shared workstation), most recent first */
const MAX_ENTRIES = 5;

interface Entry {
  user: string;
  id: string;
  iat: number;
}

export interface DeviceCookies {
  /** the device id for this username, when this browser holds a valid device cookie for it */
  deviceFor(ctx: Context, username: string): string | undefined;
  /** after a successful sign-in: remember this username on this browser */
  remember(ctx: Context, username: string, device: string | undefined): void;
}

export function deviceCookies(lookupKey: Buffer, trustSeconds: number): DeviceCookies {
  const userTag = (username: string) => createHmac('sha256', lookupKey).update(`device-cookie:${normaliseUsername(username)}`).digest('base64url').slice(0, 22);
  const now = () => Math.floor(Date.now() / 1000);

  function read(ctx: Context): Entry[] {
    const value = ctx.cookies.get(COOKIE, { signed: true });
    if (!value) return [];
    return value.split('~').flatMap((part) => {
      const [user, id, iat] = part.split('.');
      const issued = Number(iat);
      return user && id && Number.isInteger(issued) && issued + trustSeconds > now() ? [{ user, id, iat: issued }] : [];
    });
  }

  return {
    deviceFor(ctx, username) {
      const tag = userTag(username);
      return read(ctx).find((e) => e.user === tag)?.id;
    },
    remember(ctx, username, device) {
      const tag = userTag(username);
      const entry = { user: tag, id: device ?? randomBytes(16).toString('base64url'), iat: now() };
      const entries = [entry, ...read(ctx).filter((e) => e.user !== tag)].slice(0, MAX_ENTRIES);
      ctx.cookies.set(COOKIE, entries.map((e) => `${e.user}.${e.id}.${e.iat}`).join('~'), {
        signed: true,
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        secure: ctx.secure,
        overwrite: true,
        maxAge: trustSeconds * 1000,
      });
    },
  };
}
