import type { NotificationChannel } from '../store/channel-types';
import type { NoticePolicy } from './policy';

/**
 * Citizens' notification channels from the environment (secrets never in data/). A channel
 * missing any of its settings is off, and start-up says so once (with the names of the missing
 * settings, never their values).
 */

export interface EmailConfig {
  host: string;
  /** Default 587 (465 with `secure`). */
  port: number;
  /** TLS from the first byte (SMTPS, usually port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  /** Refuse to send unless STARTTLS succeeds. */
  requireTls: boolean;
  user?: string;
  password?: string;
  /** The From address, e.g. "Hỏi đáp Lào Cai <hoidap@laocai.gov.vn>". */
  from: string;
}

export interface SmsConfig {
  /** The gateway's request shape: only eSMS's (the best documented) so far. */
  gateway: 'esms';
  url: string;
  apiKey: string;
  secretKey: string;
  brandname: string;
  /** eSMS Sandbox=1: checked by the gateway, not sent, not charged. */
  sandbox: boolean;
}

export interface ZnsConfig {
  apiBase: string;
  /** Zalo's test mode (`mode: "development"`): only the app's and OA's admins receive. */
  development: boolean;
  /** For the OA access token (shared with the Zalo OA channel: one token pair per OA). */
  appId: string;
  appSecret: string;
  oauthBase?: string;
  accessToken?: string;
  refreshToken?: string;
}

export interface NotifyConfig {
  email?: EmailConfig;
  sms?: SmsConfig;
  zns?: ZnsConfig;
  /** Why each channel that is off is off, for the start-up log. */
  off: Array<{ channel: NotificationChannel; missing: string[] }>;
}

export const ESMS_URL = 'https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/';
export const ZNS_API_BASE = 'https://business.openapi.zalo.me';

const flag = (value: string | undefined) => value === '1' || value === 'true';

export function notifyFromEnv(policy: Pick<NoticePolicy, 'zns'>, env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const off: NotifyConfig['off'] = [];
  const missing = (names: string[]) => names.filter((n) => !env[n]);
  const config: NotifyConfig = { off };

  const emailMissing = missing(['SMTP_HOST', 'SMTP_FROM']);
  if (env.SMTP_USER && !env.SMTP_PASSWORD) emailMissing.push('SMTP_PASSWORD');
  const port = env.SMTP_PORT ? Number(env.SMTP_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) emailMissing.push('SMTP_PORT (a port number)');
  if (emailMissing.length === 0) {
    const secure = flag(env.SMTP_SECURE);
    config.email = {
      host: env.SMTP_HOST as string,
      port: port ?? (secure ? 465 : 587),
      secure,
      requireTls: flag(env.SMTP_REQUIRE_TLS),
      ...(env.SMTP_USER ? { user: env.SMTP_USER, password: env.SMTP_PASSWORD } : {}),
      from: env.SMTP_FROM as string,
    };
  } else off.push({ channel: 'email', missing: emailMissing });

  const smsMissing = missing(['SMS_API_KEY', 'SMS_SECRET_KEY', 'SMS_BRANDNAME']);
  const gateway = env.SMS_GATEWAY ?? 'esms';
  if (gateway !== 'esms') smsMissing.push(`SMS_GATEWAY (only "esms" is supported, not "${gateway}")`);
  if (env.SMS_BRANDNAME && env.SMS_BRANDNAME.length > 11) smsMissing.push('SMS_BRANDNAME (at most 11 characters)');
  if (smsMissing.length === 0)
    config.sms = {
      gateway: 'esms',
      url: env.SMS_API_URL ?? ESMS_URL,
      apiKey: env.SMS_API_KEY as string,
      secretKey: env.SMS_SECRET_KEY as string,
      brandname: env.SMS_BRANDNAME as string,
      sandbox: flag(env.SMS_SANDBOX),
    };
  else off.push({ channel: 'sms', missing: smsMissing });

  // ZNS sends with the OA's access token: the app's id and secret renew it.
  const znsMissing = missing(['ZALO_APP_ID', 'ZALO_APP_SECRET']);
  if (!env.ZALO_REFRESH_TOKEN && !env.ZALO_ACCESS_TOKEN) znsMissing.push('ZALO_REFRESH_TOKEN');
  if (policy.zns.templateId === null) znsMissing.push('zns.templateId in data/notifications.json');
  if (znsMissing.length === 0)
    config.zns = {
      apiBase: env.ZNS_API_BASE ?? ZNS_API_BASE,
      development: env.ZNS_MODE === 'development',
      appId: env.ZALO_APP_ID as string,
      appSecret: env.ZALO_APP_SECRET as string,
      ...(env.ZALO_OAUTH_BASE ? { oauthBase: env.ZALO_OAUTH_BASE } : {}),
      ...(env.ZALO_ACCESS_TOKEN ? { accessToken: env.ZALO_ACCESS_TOKEN } : {}),
      ...(env.ZALO_REFRESH_TOKEN ? { refreshToken: env.ZALO_REFRESH_TOKEN } : {}),
    };
  else off.push({ channel: 'zns', missing: znsMissing });
  return config;
}
