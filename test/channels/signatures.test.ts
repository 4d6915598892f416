import { metaSignature, verifyMetaSignature } from '../../src/channels/facebook/signature';
import { verifyZaloSignature, zaloBodyTimestamp, zaloSignature } from '../../src/channels/zalo/signature';

describe('Zalo X-ZEvent-Signature', () => {
  const appId = '2553928453557884079';
  const oaSecretKey = 'oa-secret';
  // The sample user_send_text event from the channel reference, byte for byte as it would arrive.
  const rawBody =
    '{"event_name":"user_send_text","app_id":"2553928453557884079","sender":{"id":"6142494823"},"recipient":{"id":"3662729599332560487"},' +
    '"message":{"text":"Chào A4B","msg_id":"cb31dff1c39642cc1b83"},"timestamp":"1699003881354","user_id_by_app":"979122185046046317"}';
  // printf '%s' "$appId$rawBody$timestamp$oaSecretKey" | sha256sum
  const known = 'mac=47f6f1eb3d7fa3a7424be3fbe1ffe50f828a7204fea996a296c8e8e1ee3483bc';

  it('computes sha256(appId + rawBody + timestamp + oaSecretKey), timestamp read from the body', () => {
    expect(zaloSignature({ rawBody, appId, oaSecretKey })).toBe(known);
    expect(zaloSignature({ rawBody: Buffer.from(rawBody, 'utf8'), appId, oaSecretKey })).toBe(known);
    expect(zaloBodyTimestamp(rawBody)).toBe('1699003881354');
  });

  it('accepts a valid signature, from a string or the raw bytes', () => {
    expect(verifyZaloSignature({ rawBody, header: known, appId, oaSecretKey })).toBe(true);
    expect(verifyZaloSignature({ rawBody: Buffer.from(rawBody, 'utf8'), header: known, appId, oaSecretKey })).toBe(true);
    expect(verifyZaloSignature({ rawBody, header: known.toUpperCase().replace('MAC=', 'mac='), appId, oaSecretKey })).toBe(true);
  });

  it('rejects a forged signature (other secret, other app, tampered body)', () => {
    expect(verifyZaloSignature({ rawBody, header: zaloSignature({ rawBody, appId, oaSecretKey: 'guess' }), appId, oaSecretKey })).toBe(false);
    expect(verifyZaloSignature({ rawBody, header: known, appId: '1', oaSecretKey })).toBe(false);
    expect(verifyZaloSignature({ rawBody, header: known, appId, oaSecretKey: 'other-secret' })).toBe(false);
    const tampered = rawBody.replace('Chào A4B', 'Chào A4C');
    expect(verifyZaloSignature({ rawBody: tampered, header: known, appId, oaSecretKey })).toBe(false);
    const otherTime = rawBody.replace('1699003881354', '1699003881355');
    expect(verifyZaloSignature({ rawBody: otherTime, header: known, appId, oaSecretKey })).toBe(false);
  });

  it('rejects a missing or malformed header', () => {
    const hex = known.slice('mac='.length);
    for (const header of [undefined, '', hex, `sha256=${hex}`, `mac=${hex.slice(2)}`, `mac=${hex}00`, `mac=${'z'.repeat(64)}`, 'mac=', [known]]) {
      expect(verifyZaloSignature({ rawBody, header, appId, oaSecretKey })).toBe(false);
    }
  });

  it('rejects a re-serialised body (the digest covers the raw bytes)', () => {
    const reserialised = JSON.stringify(JSON.parse(rawBody), null, 1);
    expect(reserialised).not.toBe(rawBody);
    expect(verifyZaloSignature({ rawBody: reserialised, header: known, appId, oaSecretKey })).toBe(false);
  });

  it('is false without a timestamp, with a body that is not JSON, or without a configured secret', () => {
    const noTimestamp = '{"event_name":"follow","app_id":"1"}';
    expect(verifyZaloSignature({ rawBody: noTimestamp, header: zaloSignature({ rawBody: noTimestamp, appId, oaSecretKey, timestamp: '' }), appId, oaSecretKey })).toBe(false);
    expect(() => zaloSignature({ rawBody: noTimestamp, appId, oaSecretKey })).toThrow(/timestamp/);
    expect(verifyZaloSignature({ rawBody: 'not json', header: known, appId, oaSecretKey })).toBe(false);
    expect(verifyZaloSignature({ rawBody, header: known, appId, oaSecretKey: '' })).toBe(false);
    expect(verifyZaloSignature({ rawBody, header: known, appId: '', oaSecretKey })).toBe(false);
  });

  it('keeps the timestamp as the string sent, even beyond 2^53', () => {
    const big = '{"timestamp":"90071992547409931234","app_id":"1"}';
    expect(zaloBodyTimestamp(big)).toBe('90071992547409931234');
    const header = zaloSignature({ rawBody: big, appId, oaSecretKey });
    expect(verifyZaloSignature({ rawBody: big, header, appId, oaSecretKey })).toBe(true);
    // An unsafe number cannot be read back exactly: refuse rather than guess.
    expect(zaloBodyTimestamp('{"timestamp":90071992547409931234}')).toBeUndefined();
  });
});

describe('Meta X-Hub-Signature-256', () => {
  const appSecret = 'meta-secret';
  // Meta sends non-ASCII escaped as \uXXXX; the signature covers these bytes.
  const rawBody = String.raw`{"object":"page","entry":[{"id":"1","time":1,"messaging":[{"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1,"message":{"mid":"m1","text":"Ch\u00e0o"}}]}]}`;
  // printf '%s' "$rawBody" | openssl dgst -sha256 -hmac meta-secret
  const known = 'sha256=58d7188f9fde188bc48531569b62ca7d8a163b1f1490e7c4a8d5d6f906fe28e7';

  it('computes hmac-sha256(appSecret, rawBody)', () => {
    expect(metaSignature({ rawBody, appSecret })).toBe(known);
    expect(metaSignature({ rawBody: Buffer.from(rawBody), appSecret })).toBe(known);
  });

  it('accepts a valid signature', () => {
    expect(verifyMetaSignature({ rawBody, header: known, appSecret })).toBe(true);
    expect(verifyMetaSignature({ rawBody: Buffer.from(rawBody), header: known, appSecret })).toBe(true);
  });

  it('rejects a forged signature or a tampered body', () => {
    expect(verifyMetaSignature({ rawBody, header: metaSignature({ rawBody, appSecret: 'guess' }), appSecret })).toBe(false);
    expect(verifyMetaSignature({ rawBody: rawBody.replace('"m1"', '"m2"'), header: known, appSecret })).toBe(false);
  });

  it('rejects a missing or malformed header, and an empty secret', () => {
    const hex = known.slice('sha256='.length);
    for (const header of [undefined, '', hex, `sha1=${hex}`, `SHA256=${hex}`, `sha256=${hex.slice(1)}`, `sha256=${hex}ff`, [known]]) {
      expect(verifyMetaSignature({ rawBody, header, appSecret })).toBe(false);
    }
    expect(verifyMetaSignature({ rawBody, header: metaSignature({ rawBody, appSecret: '' }), appSecret: '' })).toBe(false);
  });

  it('rejects the body after JSON.parse + JSON.stringify (unicode no longer escaped)', () => {
    const reserialised = JSON.stringify(JSON.parse(rawBody));
    expect(reserialised).toContain('Chào');
    expect(verifyMetaSignature({ rawBody: reserialised, header: known, appSecret })).toBe(false);
  });
});
