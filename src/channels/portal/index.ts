import type express from 'express';
import { createDirectLineRouter, type DirectLineRouter, type DirectLineRouterOptions } from './directline';
import { createWebchatBundleHandler, PORTAL_SCRIPT_URL, sendPage, sendPortalScript, WEBCHAT_URL } from './page';

export { PortalAdapter, APOLOGY_TEXT, PORTAL_CHANNEL_ID } from './adapter';
export { createDirectLineRouter, DEFAULT_LIMITS, type DirectLineLimits, type DirectLineRouter } from './directline';
export { SqliteDirectLineStore, type DirectLineStore } from './store';

export type PortalDeps = DirectLineRouterOptions;

/** The mounted portal channel: what graceful shutdown needs. */
export interface Portal {
  router: DirectLineRouter;
  /** Answers citizens' messages stored before a crash whose turn never ran (at start); resolves with how many. */
  recover(): Promise<number>;
  /** Refuse new conversations and messages (503); polling keeps working so replies still arrive. */
  stopAccepting(): void;
  /** Resolves when every accepted message has been stored and every turn in flight has finished. */
  drain(): Promise<void>;
}

export function createPortal(deps: PortalDeps): Portal {
  const router = createDirectLineRouter(deps);
  return { router, recover: () => router.recover(), stopAccepting: () => router.stopAccepting(), drain: () => router.drain() };
}

function isPortal(value: PortalDeps | Portal): value is Portal {
  return 'router' in value;
}

/** Mounts Direct Line at /v3/directline, Web Chat's bundle, and the portal page at /. */
export function mountPortal(app: express.Express, deps: PortalDeps | Portal): Portal {
  const portal = isPortal(deps) ? deps : createPortal(deps);
  app.use('/v3/directline', portal.router);
  app.get(WEBCHAT_URL, createWebchatBundleHandler());
  app.get(PORTAL_SCRIPT_URL, sendPortalScript);
  app.get('/', sendPage);
  return portal;
}
