// The library's own pages (errors it cannot redirect, logout), rendered with our views.
// A person sees a readable message; never a stack trace or the request's parameters.
import type { KoaContextWithOIDC } from 'oidc-provider';
import { sendPage } from '../web/render.js';

interface ErrorOut {
  error: string;
  error_description?: string | undefined;
}

const FRIENDLY: Record<string, string> = {
  invalid_client: 'The application that sent you here is not registered with this service.',
  invalid_redirect_uri: 'The application asked to send you back to an address it has not registered.',
  invalid_request: 'The sign-in request was not valid.',
  server_error: 'Something went wrong on our side.',
  temporarily_unavailable: 'The service is busy or briefly unavailable. Please try again in a moment.',
};

export async function renderError(ctx: KoaContextWithOIDC, out: ErrorOut, _error: Error): Promise<void> {
  const status = ctx.status >= 400 ? ctx.status : 400;
  const detail = out.error === 'server_error' ? undefined : out.error_description;
  await sendPage(ctx, 'error', {
    title: 'Sign-in problem',
    message: FRIENDLY[out.error] ?? 'The sign-in could not continue.',
    code: out.error,
    detail,
  }, status);
}

export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const client = ctx.oidc.client;
  await sendPage(ctx, 'logout', {
    title: 'Sign out',
    form,
    clientName: client?.clientName ?? client?.clientId,
  });
}

export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  await sendPage(ctx, 'logged-out', { title: 'Signed out' });
}
