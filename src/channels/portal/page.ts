import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { PROJECT_ROOT } from '../../config/paths';

export const WEBCHAT_URL = '/static/webchat/webchat.js';
export const PORTAL_SCRIPT_URL = '/static/portal/app.js';

/** Must match the server's limit (DEFAULT_LIMITS.maxTextLength) so the citizen is told before sending. */
const MAX_TEXT_LENGTH = 2000;

/**
 * Web Chat's bundle as vendored by the build (scripts/vendor-webchat.js, from the botframework-webchat
 * devDependency): a production install needs neither that package nor its dependencies.
 */
export function webchatBundlePath(): string {
  return path.join(PROJECT_ROOT, 'dist', 'static', 'webchat.js');
}

/** Everything the page loads comes from this server: no CDN, no web fonts. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Web Chat injects its styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  // blob: lets Web Chat read a photo the citizen picked before uploading it (DirectLineJS fetches the blob URL).
  "connect-src 'self' blob:",
  "media-src 'self' data: blob:",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export const PAGE_HTML = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="#9f1d20">
<title>Hỏi - Đáp | Cổng Thông tin điện tử tỉnh Lào Cai</title>
<link rel="icon" href="data:,">
<style>
  *, *::before, *::after { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body {
    display: flex; flex-direction: column; min-height: 100vh; min-height: 100dvh; height: 100dvh;
    font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
    color: #1f2933; background: #f3f4f6; -webkit-text-size-adjust: 100%;
  }
  .site-header { background: #9f1d20; color: #fff; padding: .625rem 1rem; padding-top: max(.625rem, env(safe-area-inset-top)); }
  .site-header h1 { margin: 0; font-size: 1rem; line-height: 1.35; font-weight: 600; }
  .site-header h1 span { display: inline-block; color: #ffd966; }
  main { flex: 1; display: flex; flex-direction: column; min-height: 0; width: 100%; max-width: 56rem; margin: 0 auto; }
  .intro { margin: 0; padding: .5rem 1rem; font-size: .8125rem; line-height: 1.4; }
  .chat { flex: 1; min-height: 18rem; display: flex; flex-direction: column; background: #fff; border-top: 1px solid #d9dde3; border-bottom: 1px solid #d9dde3; }
  #webchat { flex: 1; min-height: 0; }
  .status { margin: auto; padding: 1.5rem 1rem; text-align: center; font-size: .9375rem; color: #52606d; }
  .status button { margin-top: .75rem; font: inherit; padding: .5rem 1.25rem; border: 0; border-radius: .375rem; background: #9f1d20; color: #fff; cursor: pointer; }
  .site-footer { padding: .375rem 1rem; padding-bottom: max(.375rem, env(safe-area-inset-bottom)); font-size: .75rem; color: #52606d; text-align: center; }
  .site-footer a { color: inherit; }
  @media (min-width: 48rem) {
    .site-header { padding: .875rem 1.5rem; }
    .site-header h1 { font-size: 1.25rem; }
    .intro { padding: .75rem 0; font-size: .9375rem; }
    main { padding: 0 1.5rem; }
    .chat { border: 1px solid #d9dde3; border-radius: .5rem; overflow: hidden; }
  }
</style>
</head>
<body>
<header class="site-header">
  <h1>Cổng Thông tin điện tử tỉnh Lào Cai — <span>Hỏi - Đáp</span></h1>
</header>
<main>
  <p class="intro">Gửi câu hỏi tới các cơ quan, đơn vị của tỉnh: trợ lý Hỏi - Đáp chuyển câu hỏi đến đúng nơi và báo lại khi có trả lời. Xin đừng gửi mật khẩu hay số tài khoản ngân hàng.</p>
  <p class="intro"><a href="/hoi-dap">Xem các câu hỏi đã được trả lời</a> (tìm theo nội dung, cơ quan, năm) trước khi hỏi: có thể đã có câu trả lời cho bạn.</p>
  <section class="chat" aria-label="Khung trò chuyện Hỏi - Đáp">
    <div id="webchat">
      <p class="status" id="status">Đang kết nối…</p>
      <noscript><p class="status">Bạn cần bật JavaScript để sử dụng chuyên mục Hỏi - Đáp.</p></noscript>
    </div>
  </section>
</main>
<footer class="site-footer">
  Chuyên mục Hỏi - Đáp · Cổng Thông tin điện tử tỉnh Lào Cai (trang trình diễn)
</footer>
<script src="${WEBCHAT_URL}"></script>
<script src="${PORTAL_SCRIPT_URL}"></script>
</body>
</html>
`;

/** The page's script, served as a file so the Content-Security-Policy needs no inline scripts. */
export const PORTAL_SCRIPT = `(function () {
  'use strict';
  var DIRECT_LINE = location.origin + '/v3/directline';
  var SAVED = 'hoidap.portal.conversation';
  // The secret of this browser's identity, issued by the server: "câu hỏi của tôi" across tabs and days.
  var IDENTITY = 'hoidap.portal.identity';
  var MAX_TEXT = ${MAX_TEXT_LENGTH};
  var root = document.getElementById('webchat');

  function showStatus(message, withRetry) {
    root.textContent = '';
    var p = document.createElement('p');
    p.className = 'status';
    p.textContent = message;
    if (withRetry) {
      p.appendChild(document.createElement('br'));
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Thử lại';
      button.addEventListener('click', start);
      p.appendChild(button);
    }
    root.appendChild(p);
  }

  // A reload keeps this tab's conversation (sessionStorage ends with the tab).
  async function savedConversation() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(SAVED) || 'null');
      if (!saved || !saved.token || !saved.userId) return null;
      var res = await fetch(DIRECT_LINE + '/tokens/refresh', { method: 'POST', headers: { Authorization: 'Bearer ' + saved.token } });
      return res.ok ? saved : null;
    } catch (e) {
      return null;
    }
  }

  // The kept secret, or true to be given one; null where localStorage cannot be used (a new identity per tab).
  function keptIdentity() {
    try {
      return localStorage.getItem(IDENTITY) || true;
    } catch (e) {
      return null;
    }
  }

  async function newConversation() {
    var request = { locale: 'vi-VN' };
    var identity = keptIdentity();
    if (identity !== null) request.identity = identity;
    var res = await fetch(DIRECT_LINE + '/conversations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request)
    });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    var body = await res.json();
    if (typeof body.identity === 'string') {
      try { localStorage.setItem(IDENTITY, body.identity); } catch (e) { /* storage full or refused */ }
    }
    var conversation = { conversationId: body.conversationId, token: body.token, userId: body.userId };
    try { sessionStorage.setItem(SAVED, JSON.stringify(conversation)); } catch (e) { /* private mode */ }
    return conversation;
  }

  // Say "too long" before sending, and keep the text in the box so nothing typed is lost.
  function limitLength(api) {
    return function (next) {
      return function (action) {
        if (action.type === 'WEB_CHAT/SUBMIT_SEND_BOX') {
          var value = String(api.getState().sendBoxValue || '').trim();
          var length = Array.from(value).length;
          if (length > MAX_TEXT) {
            return api.dispatch({
              type: 'WEB_CHAT/SET_NOTIFICATION',
              payload: {
                id: 'hoidap-too-long', level: 'warn',
                message: 'Câu hỏi dài ' + length.toLocaleString('vi-VN') + ' ký tự, quá giới hạn ' + MAX_TEXT.toLocaleString('vi-VN') + ' ký tự. Bạn vui lòng rút gọn hoặc chia thành nhiều tin nhắn.'
              }
            });
          }
          api.dispatch({ type: 'WEB_CHAT/DISMISS_NOTIFICATION', payload: { id: 'hoidap-too-long' } });
        }
        return next(action);
      };
    };
  }

  async function start() {
    showStatus('Đang kết nối…', false);
    if (!window.WebChat) {
      showStatus('Không tải được khung trò chuyện. Bạn vui lòng tải lại trang.', true);
      return;
    }
    try {
      var conversation = (await savedConversation()) || (await newConversation());
      var directLine = window.WebChat.createDirectLine({
        domain: DIRECT_LINE,
        token: conversation.token,
        webSocket: false,
        pollingInterval: 1000
      });
      root.textContent = '';
      window.WebChat.renderWebChat({
        directLine: directLine,
        store: window.WebChat.createStore({}, limitLength),
        userID: conversation.userId,
        locale: 'vi-VN',
        styleOptions: {
          hideUploadButton: false,
          uploadAccept: 'image/jpeg,image/png,image/webp',
          uploadMultiple: true,
          // The thumbnail is drawn in a blob: worker, which the page's CSP (script-src 'self') does not allow.
          enableUploadThumbnail: false,
          accent: '#9f1d20',
          bubbleBorderRadius: 12,
          bubbleFromUserBackground: '#fdecea',
          bubbleFromUserBorderRadius: 12,
          primaryFont: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
          rootHeight: '100%',
          rootWidth: '100%',
          sendBoxHeight: 48,
          suggestedActionLayout: 'flow'
        }
      }, root);
    } catch (e) {
      try { sessionStorage.removeItem(SAVED); } catch (ignored) { /* private mode */ }
      showStatus('Hiện chưa kết nối được tới hệ thống Hỏi - Đáp. Bạn vui lòng thử lại sau ít phút.', true);
    }
  }

  start();
})();
`;

export function sendPage(_req: Request, res: Response): void {
  // Appended: the app's own policy (frame-ancestors, src/http/hardening.ts) applies as well.
  res.append('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-cache');
  res.type('html').send(PAGE_HTML);
}

export function sendPortalScript(_req: Request, res: Response): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-cache');
  res.type('application/javascript; charset=utf-8').send(PORTAL_SCRIPT);
}

interface Bundle {
  plain: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * Serves Web Chat's 3.9 MB bundle from the installed package, gzipped once in memory
 * (about a quarter of the size: it matters on phones).
 */
export function createWebchatBundleHandler(file = webchatBundlePath()): (req: Request, res: Response) => Promise<void> {
  let bundle: Promise<Bundle> | undefined;
  const load = async (): Promise<Bundle> => {
    const plain = await fs.promises.readFile(file);
    const gzip = await promisify(zlib.gzip)(plain, { level: 9 });
    return { plain, gzip, etag: `"${createHash('sha1').update(plain).digest('base64url')}"` };
  };
  return async (req, res) => {
    const loaded = await (bundle ??= load().catch((error: unknown) => {
      bundle = undefined;
      throw error;
    }));
    res.setHeader('Content-Type', 'application/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.setHeader('ETag', loaded.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.get('if-none-match') === loaded.etag) {
      res.status(304).end();
      return;
    }
    if (req.acceptsEncodings('gzip') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(req.method === 'HEAD' ? undefined : loaded.gzip);
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : loaded.plain);
  };
}
