// OIDC-6, EP-10: the scopes, APIs and onboarding rules of this deployment, as a page
// (discovery's service_documentation points here), built from the deployment file.
import Router from '@koa/router';
import type { Config } from '../config/load.js';
import { sendPage } from '../web/render.js';

export function docsRoutes(config: Config): Router {
  const router = new Router();
  router.get('/docs', async (ctx) => {
    await sendPage(ctx, 'docs', {
      title: 'Developer documentation',
      scopes: config.scopes,
      apis: config.resourceServers,
      registration: config.features.registration,
    });
  });
  return router;
}
