import { z } from 'zod';

/**
 * Photos a citizen sends with a question (data/photos.json): kept with the question for the
 * officers, never published. Only still images of three kinds are kept, recognised by their
 * first bytes, never by the name or type the sender declares.
 */

export type PhotoType = 'image/jpeg' | 'image/png' | 'image/webp';

/** The type the bytes really are, or undefined when they are none of JPEG, PNG and WebP. */
export function sniffPhotoType(bytes: Uint8Array): PhotoType | undefined {
  const starts = (offset: number, ...values: number[]) => bytes.length >= offset + values.length && values.every((v, i) => bytes[offset + i] === v);
  if (starts(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  // RIFF....WEBP
  if (starts(0, 0x52, 0x49, 0x46, 0x46) && starts(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp';
  return undefined;
}

/** The file extension of a photo type (for downloads). */
export function photoExtension(type: PhotoType): string {
  return type === 'image/jpeg' ? 'jpg' : type === 'image/png' ? 'png' : 'webp';
}

/** A host name as the allow-list holds it: lower case, letters, digits, dots and dashes. */
const HostName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, 'must be a host name in lower case (no scheme, port or path)');

export const PhotoPolicySchema = z
  .object({
    /** Photos kept with one question at most; more are refused politely. */
    maxPerQuestion: z.number().int().min(0).max(10),
    /** Largest photo kept, in bytes (a phone's photo is 1-5 MB). */
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(20 * 1024 * 1024),
    /**
     * Hours a photo not yet filed with a question is kept (a question left half-way); each sender keeps
     * at most maxPerQuestion of them, a new one replacing the oldest.
     */
    pendingHours: z.number().int().min(1).max(720),
    /** Web Chat uploads: a bucket per client address, and how many may be read at once (server-wide and per address). */
    uploads: z
      .object({
        burst: z.number().int().min(1).max(100),
        perMinute: z.number().min(0.1).max(600),
        maxInProgress: z.number().int().min(1).max(200),
        maxInProgressPerAddress: z.number().int().min(1).max(20),
      })
      .strict()
      .refine((u) => u.maxInProgressPerAddress <= u.maxInProgress, 'maxInProgressPerAddress must not exceed maxInProgress'),
    /** Fetching a photo from Zalo's or Meta's CDN gives up after this long. */
    fetchTimeoutMs: z.number().int().min(500).max(60_000),
    /**
     * The only hosts a photo is fetched from (https only, no redirect elsewhere): a host listed, or a
     * sub-domain of an entry written with a leading dot (".fbcdn.net").
     */
    allowedHosts: z
      .array(z.union([HostName, z.string().regex(/^\.[a-z0-9.-]+$/, 'a domain with a leading dot (".fbcdn.net") allows its sub-domains')]))
      .max(50),
  })
  .strict();

export type PhotoPolicy = z.infer<typeof PhotoPolicySchema>;

/** Whether a host (lower-cased by URL) is on the allow-list. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((entry) => (entry.startsWith('.') ? h.endsWith(entry) && h.length > entry.length : h === entry));
}
