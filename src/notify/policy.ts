import path from 'node:path';
import { z } from 'zod';
import { DataError, parseWith, readJsonFile } from '../config/data';

/**
 * What citizens are told when their answer is published, and how (data/notifications.json):
 * the e-mail's subject and body, the SMS text, the Zalo ZNS template id and its parameter
 * mapping, the order of channels for a phone number, and the sentence the bot says when a
 * question is filed (how the citizen will be told). Checked at start-up; an error names the
 * file, the entry and the problem.
 *
 * Templates use `{placeholder}`s:
 * - `ticket`: HD-YYYY-NNNNNN; `name`: the asker's name; `agency`: the answering agency;
 * - `answeredOn`: the date of the answer (dd/mm/yyyy); `answer`: the answer text (e-mail only);
 * - `siteUrl`; `listUrl`: the public page /hoi-dap; `pageUrl`: the question's own page /hoi-dap/HD-YYYY-NNNNNN.
 */

export const PLACEHOLDERS = ['ticket', 'name', 'agency', 'answeredOn', 'answer', 'siteUrl', 'listUrl', 'pageUrl'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type NoticeVars = Record<Placeholder, string>;

/** Channels a phone number can be told on, in the province's order of preference. */
export const PHONE_CHANNELS = ['zns', 'sms'] as const;

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** A template string whose placeholders are all known (and, with `without`, none of those). */
const template = (without: readonly Placeholder[] = []) =>
  z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
      for (const [, name] of text.matchAll(PLACEHOLDER)) {
        if (!(PLACEHOLDERS as readonly string[]).includes(name)) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}; known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}` });
        else if ((without as readonly string[]).includes(name)) ctx.addIssue({ code: 'custom', message: `{${name}} is not allowed here` });
      }
    });

/** What a contact confirmation code's message may name: the code, its validity in minutes, the site. */
export const CODE_PLACEHOLDERS = ['code', 'minutes', 'siteUrl'] as const;
export type CodeVars = Record<(typeof CODE_PLACEHOLDERS)[number], string>;

/** A code message template: only the code's placeholders, and the code itself in it (`needsCode`). */
const codeTemplate = (needsCode: boolean) =>
  z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
      const names = [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
      for (const name of names)
        if (!(CODE_PLACEHOLDERS as readonly string[]).includes(name)) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}; known: ${CODE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}` });
      if (needsCode && !names.includes('code')) ctx.addIssue({ code: 'custom', message: 'must contain {code}' });
    });

const PromiseTexts = z
  .object({
    /** Zalo / Messenger: the answer comes in the chat. */
    chat: z.string().min(1),
    email: z.string().min(1),
    sms: z.string().min(1),
    zns: z.string().min(1),
    /** The contact is an e-mail address, and e-mail is not configured. */
    emailOff: z.string().min(1),
    /** The contact is a mobile number, and neither ZNS nor SMS is configured. */
    phoneOff: z.string().min(1),
    /** A landline, or a contact that no channel can reach. */
    unreachable: z.string().min(1),
  })
  .strict();

export const NoticePolicySchema = z
  .object({
    /** The public site, for the links in the messages (no trailing slash needed). */
    siteUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://hoidap.laocai.gov.vn' }),
    /** Which channels a mobile number is told on, first configured one wins. */
    phoneChannels: z.array(z.enum(PHONE_CHANNELS)).min(1),
    email: z.object({ subject: template(['answer']), text: template() }).strict(),
    sms: z
      .object({
        // No answer text in an SMS: length and cost.
        text: template(['answer']),
        /** Send with diacritics (UCS-2, 70 characters a part); most brandname templates are registered without. */
        unicode: z.boolean(),
        /** Parts a message may take at most (each part is billed). */
        maxParts: z.number().int().min(1).max(3),
      })
      .strict(),
    zns: z
      .object({
        /** The approved template's id issued by Zalo; null = ZNS off. */
        templateId: z.string().regex(/^[0-9A-Za-z]{1,40}$/, 'must be the template id Zalo issued, e.g. "223750"').nullable(),
        /** Template parameter name → value template (the template's registered names). */
        params: z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'a ZNS parameter name is letters, digits and _'), template(['answer'])),
        /** Values are cut to this length (Zalo's limit for most parameter types is 30). */
        paramMaxLength: z.number().int().min(5).max(400),
      })
      .strict(),
    /** The message carrying a one-time code that confirms a portal citizen's contact (data/policy.json contactConfirmation). */
    code: z
      .object({
        email: z.object({ subject: codeTemplate(false), text: codeTemplate(true) }).strict(),
        /** Sent as written (keep it GSM-7, one part). */
        sms: codeTemplate(true),
        /** A ZNS OTP template where the province has one (null: mobile numbers get the SMS). */
        zns: z
          .object({
            templateId: z.string().regex(/^[0-9A-Za-z]{1,40}$/, 'must be the template id Zalo issued, e.g. "223750"').nullable(),
            params: z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'a ZNS parameter name is letters, digits and _'), codeTemplate(false)),
          })
          .strict(),
      })
      .strict(),
    promise: z.object({ vi: PromiseTexts, en: PromiseTexts }).strict(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.zns.templateId !== null && Object.keys(p.zns.params).length === 0) ctx.addIssue({ code: 'custom', path: ['zns', 'params'], message: 'a template id needs its parameter mapping' });
  });

export type NoticePolicy = z.infer<typeof NoticePolicySchema>;

/** Fills `{placeholders}`. */
export function render(text: string, vars: NoticeVars): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => ((PLACEHOLDERS as readonly string[]).includes(name) ? vars[name as Placeholder] : whole));
}

/** Fills a code message's `{placeholders}`. */
export function renderCode(text: string, vars: CodeVars): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name as keyof CodeVars] : whole));
}

/** Vietnamese without diacritics (đ → d): what an SMS without Unicode can carry. */
export function foldDiacritics(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

/** GSM 03.38 basic set (the extension characters count twice). */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€');

/** How many SMS parts `text` takes: GSM-7 160 / 153 a part, UCS-2 70 / 67 a part. */
export function smsParts(text: string): { parts: number; encoding: 'gsm7' | 'ucs2' } {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else gsm = false;
  }
  if (gsm) return { parts: septets <= 160 ? 1 : Math.ceil(septets / 153), encoding: 'gsm7' };
  const units = [...text].length;
  return { parts: units <= 70 ? 1 : Math.ceil(units / 67), encoding: 'ucs2' };
}

/** The SMS text for `vars`, folded when the policy sends without Unicode. */
export function smsText(policy: NoticePolicy, vars: NoticeVars): string {
  const text = render(policy.sms.text, vars);
  return policy.sms.unicode ? text : foldDiacritics(text);
}

export function linkVars(siteUrl: string, ticket: string): Pick<NoticeVars, 'siteUrl' | 'listUrl' | 'pageUrl'> {
  const site = siteUrl.replace(/\/+$/, '');
  return { siteUrl: site, listUrl: `${site}/hoi-dap`, pageUrl: `${site}/hoi-dap/${encodeURIComponent(ticket)}` };
}

/**
 * Loads and checks data/notifications.json. Beyond the shapes: the SMS text, with the
 * longest agency name and a 40-character name, must fit `maxParts` in the encoding it will
 * be sent in (every character GSM-7 when `unicode` is false).
 */
export function loadNoticePolicy(dataDir: string, agencyNames: readonly string[] = []): NoticePolicy {
  const file = path.join(dataDir, 'notifications.json');
  const policy = parseWith(NoticePolicySchema, readJsonFile(file), file);
  const longestAgency = agencyNames.reduce((a, b) => (b.length > a.length ? b : a), 'Sở Tài nguyên và Môi trường');
  const worst: NoticeVars = {
    ticket: 'HD-2099-999999',
    name: 'Nguyễn Thị Hoàng Anh Nguyễn Thị Hoàng Anh',
    agency: longestAgency,
    answeredOn: '31/12/2099',
    answer: '',
    ...linkVars(policy.siteUrl, 'HD-2099-999999'),
  };
  const sms = smsText(policy, worst);
  const measured = smsParts(sms);
  if (!policy.sms.unicode && measured.encoding !== 'gsm7') {
    const bad = [...sms].filter((ch) => !GSM7_BASIC.has(ch) && !GSM7_EXTENDED.has(ch));
    throw new DataError(file, [`sms.text: has characters outside GSM-7 (${[...new Set(bad)].join(' ')}) although sms.unicode is false`]);
  }
  const codeSms = smsParts(renderCode(policy.code.sms, { code: '9'.repeat(10), minutes: '1440', siteUrl: policy.siteUrl }));
  if (codeSms.encoding !== 'gsm7' || codeSms.parts > 1) throw new DataError(file, [`code.sms: must be one SMS part in GSM-7 (no diacritics) with a 10-digit code`]);
  if (measured.parts > policy.sms.maxParts)
    throw new DataError(file, [`sms.text: takes ${measured.parts} SMS parts (${measured.encoding}) with the longest agency name, more than sms.maxParts ${policy.sms.maxParts}: "${sms}"`]);
  return policy;
}
