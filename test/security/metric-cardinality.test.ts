import { KNOWN_CHANNELS } from '../../src/observability/metrics';
import { METRICS_TOKEN } from '../helpers/channels';
import { province } from '../helpers/province';
import { botFrameworkActivity, DirectLineClient, postBotFramework, startLocal, withEnv } from './helpers';

/**
 * Finding 5 (metric cardinality): every channelId an activity named became a Prometheus label
 * (1,000 requests, 1,000 series, never shrinking). Channel labels are now a closed set; an
 * unknown channelId counts as "other".
 */
function channelSeries(metrics: string, name: string): string[] {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .map((line) => /channel="([^"]*)"/.exec(line)?.[1] ?? '');
}

test('200 activities with 200 made-up channel ids add one series, "other"', async () => {
  await withEnv({ HOIDAP_BOTFRAMEWORK_OPEN: '1', HOIDAP_METRICS_TOKEN: METRICS_TOKEN }, async () => {
    const local = await startLocal({ data: province() });
    try {
      for (let i = 0; i < 200; i += 1) {
        const res = await postBotFramework(local.base, botFrameworkActivity({ text: 'xin chào', channelId: `made-up-${i}` }));
        expect(res.status).toBe(200);
      }
      // A known channel keeps its own label.
      const portal = await DirectLineClient.start(local.base);
      await portal.say('xin chào');
      const metrics = await (await fetch(`${local.base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      const series = channelSeries(metrics, 'hoidap_bot_turns_total');
      expect(series.sort()).toEqual(['directline', 'other']);
      expect(metrics).toMatch(/hoidap_bot_turns_total\{channel="other"\} 200\b/);
      for (const label of series) expect([...KNOWN_CHANNELS, 'other']).toContain(label);
      expect(metrics).not.toContain('made-up-');
    } finally {
      await local.close();
    }
  });
});
