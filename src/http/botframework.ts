import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ActivityHandlerBase,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type express from 'express';
import { logger } from '../observability/logger';

export interface BotFrameworkDeps {
  bot: ActivityHandlerBase;
  /** Microsoft app credentials; without an app id the endpoint is open (Bot Framework Emulator, local tests). */
  auth: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
}

/** The standard Bot Framework settings from the environment (MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId). */
export function botFrameworkAuthFromEnv(env: NodeJS.ProcessEnv = process.env): { auth: Partial<ConfigurationBotFrameworkAuthenticationOptions> } {
  return {
    auth: {
      MicrosoftAppId: env.MicrosoftAppId ?? '',
      MicrosoftAppPassword: env.MicrosoftAppPassword ?? '',
      MicrosoftAppType: env.MicrosoftAppType ?? (env.MicrosoftAppId ? 'MultiTenant' : ''),
      MicrosoftAppTenantId: env.MicrosoftAppTenantId ?? '',
    },
  };
}

/** POST /api/messages through botbuilder's CloudAdapter: the Emulator and Azure channels talk to the same bot. */
export function mountBotFramework(app: express.Express, deps: BotFrameworkDeps): CloudAdapter {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(deps.auth as ConfigurationBotFrameworkAuthenticationOptions));
  adapter.onTurnError = async (context, error) => {
    logger.error('botframework turn failed', { conversationId: context.activity.conversation?.id, error: error instanceof Error ? error.message : String(error) });
    await context.sendActivity('Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút.');
  };
  if (!deps.auth.MicrosoftAppId) logger.info('Bot Framework endpoint /api/messages is open: no MicrosoftAppId configured');
  app.post('/api/messages', (req, res) => adapter.process(req, res, (context) => deps.bot.run(context)));
  return adapter;
}
