import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ActivityHandlerBase,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type express from 'express';
import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile } from '../config/data';
import { channelLabel } from '../observability/metrics';
import { logger } from '../observability/logger';

export interface BotFrameworkDeps {
  bot: ActivityHandlerBase;
  /** Microsoft app credentials; the endpoint is mounted only with an app id, or in local Emulator mode (`open`). */
  auth: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
  /**
   * HOIDAP_BOTFRAMEWORK_OPEN=1: with no app id, mount the endpoint anyway, unauthenticated, for
   * the Bot Framework Emulator; it then answers only requests from the loopback interface.
   */
  open?: boolean;
  /** The allowed serviceUrls; data/botframework.json by default. */
  serviceUrls?: ServiceUrlPolicy;
}

/** The standard Bot Framework settings from the environment (MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId). */
export function botFrameworkAuthFromEnv(env: NodeJS.ProcessEnv = process.env): { auth: Partial<ConfigurationBotFrameworkAuthenticationOptions>; open: boolean } {
  return {
    auth: {
      MicrosoftAppId: env.MicrosoftAppId ?? '',
      MicrosoftAppPassword: env.MicrosoftAppPassword ?? '',
      MicrosoftAppType: env.MicrosoftAppType ?? (env.MicrosoftAppId ? 'MultiTenant' : ''),
      MicrosoftAppTenantId: env.MicrosoftAppTenantId ?? '',
    },
    open: env.HOIDAP_BOTFRAMEWORK_OPEN === '1',
  };
}

/**
 * Where the bot may POST its replies (an activity's serviceUrl). A pattern is
 * `scheme://host[:port]`: the host may start with `*.` (any subdomain), the port may be `*`
 * (any port); without a port only the scheme's default port matches. Paths are not compared.
 */
const PATTERN = /^(https?):\/\/(\*\.)?([a-z0-9.-]+|\[[0-9a-f:]+\])(?::(\*|\d{1,5}))?\/?$/i;

const PatternSchema = z.string().regex(PATTERN, 'must be scheme://host[:port], the host optionally starting with "*." and the port optionally "*"');

export const ServiceUrlPolicySchema = z
  .object({
    /** With a Microsoft app id: the Bot Connector service's hosts. */
    serviceUrls: z.array(PatternSchema).min(1),
    /** In local Emulator mode (HOIDAP_BOTFRAMEWORK_OPEN=1): the Emulator on this machine. */
    emulatorServiceUrls: z.array(PatternSchema),
  })
  .strict();

export type ServiceUrlPolicy = z.infer<typeof ServiceUrlPolicySchema>;

/** Reads and validates data/botframework.json (errors name the file and the entry). */
export function loadServiceUrlPolicy(dataDir: string): ServiceUrlPolicy {
  const file = path.join(dataDir, 'botframework.json');
  return parseWith(ServiceUrlPolicySchema, readJsonFile(file), file);
}

/** Whether `serviceUrl` matches one of the patterns. */
export function serviceUrlAllowed(serviceUrl: unknown, patterns: readonly string[]): boolean {
  if (typeof serviceUrl !== 'string' || serviceUrl.length > 2048) return false;
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const host = url.hostname.toLowerCase();
  return patterns.some((pattern) => {
    const m = PATTERN.exec(pattern);
    if (!m || m[1].toLowerCase() !== scheme) return false;
    const patternHost = m[3].toLowerCase();
    const hostOk = m[2] ? host.endsWith(`.${patternHost}`) : host === patternHost;
    const port = m[4];
    const portOk = port === '*' || (port === undefined ? url.port === '' : url.port === port || (url.port === '' && port === (scheme === 'https' ? '443' : '80')));
    return hostOk && portOk;
  });
}

/** The loopback interface, as the socket (not a forwarded header) says. */
function fromLoopback(req: express.Request): boolean {
  const address = req.socket.remoteAddress ?? '';
  const local = address === '::1' || /^(::ffff:)?127\./.test(address);
  // A reverse proxy on the same machine would make every caller look local.
  return local && req.get('x-forwarded-for') === undefined && req.get('forwarded') === undefined;
}

/**
 * POST /api/messages through botbuilder's CloudAdapter, for Azure Bot Service channels and
 * the Bot Framework Emulator. Not mounted (404) unless a Microsoft app id is configured (then
 * every request must carry the Bot Connector's signed token) or local Emulator mode is asked
 * for (then only loopback callers are answered). In both, an activity whose serviceUrl is
 * not allowed is refused before the bot sees it: no reply is ever POSTed there.
 * Returns the adapter, or undefined when the endpoint is not mounted.
 */
export function mountBotFramework(app: express.Express, deps: BotFrameworkDeps, dataDir: string): CloudAdapter | undefined {
  const configured = Boolean(deps.auth.MicrosoftAppId);
  // Validated at every start, mounted or not: a mistake shows before the day it is needed.
  const policy = deps.serviceUrls ?? loadServiceUrlPolicy(dataDir);
  if (!configured && !deps.open) {
    logger.info('Bot Framework endpoint /api/messages not mounted: no MicrosoftAppId (HOIDAP_BOTFRAMEWORK_OPEN=1 opens it to the local Emulator)');
    return undefined;
  }
  const allowed = configured ? policy.serviceUrls : policy.emulatorServiceUrls;
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(deps.auth as ConfigurationBotFrameworkAuthenticationOptions));
  adapter.onTurnError = async (context, error) => {
    logger.error('botframework turn failed', { conversationId: context.activity.conversation?.id, error: error instanceof Error ? error.message : String(error) });
    await context.sendActivity('Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút.');
  };
  if (!configured) logger.warn('Bot Framework endpoint /api/messages is open to the local Emulator (HOIDAP_BOTFRAMEWORK_OPEN=1): loopback callers only, no authentication');
  app.post('/api/messages', (req, res) => {
    if (!configured && !fromLoopback(req)) {
      res.status(403).json({ error: 'the Bot Framework endpoint is in local Emulator mode: loopback callers only' });
      return;
    }
    const body = req.body as { serviceUrl?: unknown; channelId?: unknown } | undefined;
    if (!serviceUrlAllowed(body?.serviceUrl, allowed)) {
      logger.warn('botframework activity refused: serviceUrl not allowed', { channel: channelLabel(typeof body?.channelId === 'string' ? body.channelId : undefined) });
      res.status(400).json({ error: 'serviceUrl is not allowed (data/botframework.json)' });
      return;
    }
    void adapter.process(req, res, (context) => deps.bot.run(context));
  });
  return adapter;
}
