/** Zalo OA and Messenger settings from the environment. A channel without all its secrets is off. */

export interface ZaloConfig {
  appId: string;
  /** The key that signs webhook events (ZALO_OA_SECRET); which Zalo key this is is unconfirmed: see channels.md 1.3. */
  oaSecret: string;
  /** The app's secret (token endpoint). */
  appSecret: string;
  apiBase?: string;
  oauthBase?: string;
  /** The first token pair, used until the stored pair exists. */
  accessToken?: string;
  refreshToken?: string;
}

export interface FacebookConfig {
  appSecret: string;
  verifyToken: string;
  pageToken: string;
  graphBase?: string;
  apiVersion?: string;
  /** The Page has Messenger's Human Agent permission (App Review). */
  humanAgent: boolean;
}

export interface ChannelsConfig {
  zalo?: ZaloConfig;
  facebook?: FacebookConfig;
  /**
   * How old a signed webhook event may be before it is refused as a replay (HOIDAP_WEBHOOK_MAX_AGE_HOURS, 1 to 720;
   * default 72 hours). Handled events' ids are kept far longer (see SqliteRetention), so a replay is refused either way.
   */
  webhookMaxAgeMs?: number;
  /** Why each channel that is off is off, for the start-up log. */
  off: Array<{ channel: 'zalo' | 'facebook'; missing: string[] }>;
}

export function channelsFromEnv(env: NodeJS.ProcessEnv = process.env): ChannelsConfig {
  const off: ChannelsConfig['off'] = [];
  const missing = (names: string[]) => names.filter((n) => !env[n]);
  const config: ChannelsConfig = { off };
  const maxAge = env.HOIDAP_WEBHOOK_MAX_AGE_HOURS;
  if (maxAge !== undefined && maxAge !== '') {
    const hours = Number(maxAge);
    if (!Number.isInteger(hours) || hours < 1 || hours > 720) throw new Error(`HOIDAP_WEBHOOK_MAX_AGE_HOURS must be a whole number of hours from 1 to 720; got "${maxAge}"`);
    config.webhookMaxAgeMs = hours * 3_600_000;
  }
  const zaloMissing = missing(['ZALO_APP_ID', 'ZALO_OA_SECRET', 'ZALO_APP_SECRET']);
  if (zaloMissing.length === 0)
    config.zalo = {
      appId: env.ZALO_APP_ID as string,
      oaSecret: env.ZALO_OA_SECRET as string,
      appSecret: env.ZALO_APP_SECRET as string,
      ...(env.ZALO_API_BASE ? { apiBase: env.ZALO_API_BASE } : {}),
      ...(env.ZALO_OAUTH_BASE ? { oauthBase: env.ZALO_OAUTH_BASE } : {}),
      ...(env.ZALO_ACCESS_TOKEN ? { accessToken: env.ZALO_ACCESS_TOKEN } : {}),
      ...(env.ZALO_REFRESH_TOKEN ? { refreshToken: env.ZALO_REFRESH_TOKEN } : {}),
    };
  else off.push({ channel: 'zalo', missing: zaloMissing });
  const fbMissing = missing(['FB_APP_SECRET', 'FB_VERIFY_TOKEN', 'FB_PAGE_TOKEN']);
  if (fbMissing.length === 0)
    config.facebook = {
      appSecret: env.FB_APP_SECRET as string,
      verifyToken: env.FB_VERIFY_TOKEN as string,
      pageToken: env.FB_PAGE_TOKEN as string,
      ...(env.FB_GRAPH_BASE ? { graphBase: env.FB_GRAPH_BASE } : {}),
      ...(env.FB_API_VERSION ? { apiVersion: env.FB_API_VERSION } : {}),
      humanAgent: env.FB_HUMAN_AGENT === '1' || env.FB_HUMAN_AGENT === 'true',
    };
  else off.push({ channel: 'facebook', missing: fbMissing });
  return config;
}
