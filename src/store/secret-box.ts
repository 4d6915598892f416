import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/**
 * Channel secrets at rest (the stored Zalo token pair): AES-256-GCM with a key from the environment
 * (HOIDAP_SECRET_KEY, 32 bytes as 64 hex digits or base64), so a copy of the database or of a backup
 * does not give the OA's tokens. Without a key, values are stored as before, and values stored
 * before a key was set stay readable (they are sealed at their next write).
 */
export class SecretBox {
  constructor(private readonly key?: Buffer) {
    if (key && key.length !== 32) throw new Error('HOIDAP_SECRET_KEY must be 32 bytes (64 hex digits or 44 base64 characters)');
  }

  get sealing(): boolean {
    return this.key !== undefined;
  }

  seal(plain: string): string {
    if (!this.key) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  open(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    if (!this.key) throw new Error('a stored channel secret is encrypted: set HOIDAP_SECRET_KEY to the key it was stored with');
    const [iv, tag, body] = stored.slice(PREFIX.length).split(':');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv ?? '', 'base64url'));
    decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body ?? '', 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('a stored channel secret cannot be decrypted with HOIDAP_SECRET_KEY (another key, or the value was altered)');
    }
  }
}

export function secretBoxFromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
  const text = env.HOIDAP_SECRET_KEY?.trim();
  if (!text) return new SecretBox();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return new SecretBox(key);
}
