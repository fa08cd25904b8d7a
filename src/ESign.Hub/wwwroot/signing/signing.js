/* ESign.Hub signer page. Plain JS, no dependencies.
 * All server-provided text goes through textContent / attributes, never innerHTML. */
(function () {
  'use strict';

  var INK = '#1a237e';
  var SIG_FONT = '"Signature", "Dancing Script", cursive';
  var NETWORK_MSG = 'We couldn’t reach the server. Check your connection and try again.';

  var match = location.pathname.match(/^\/sign\/([^/?#]+)\/?$/);
  var base = match ? '/sign/' + match[1] : null;

  var main = document.getElementById('main');
  var declineDialog = document.getElementById('decline-dialog');
  var state = null;
  var fontReady = null;

  // ---------------------------------------------------------------- helpers

  // h(tag, props, ...children). props.style is an object of CSS properties ({ left: '10%', '--pw': 612 }).
  function h(tag, props) {
    var el = document.createElement(tag);
    if (props) {
      Object.keys(props).forEach(function (k) {
        var v = props[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.toLowerCase() === 'style') setStyles(el, v);
        else if (k.slice(0, 2) === 'on' && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (k === 'hidden' || k === 'checked' || k === 'disabled' || k === 'required' || k === 'readOnly') el[k] = !!v;
        else if (k === 'value') el.value = v;
        else el.setAttribute(k, v === true ? '' : String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  // The page's Content-Security-Policy (style-src 'self', no 'unsafe-inline') drops every style attribute, so styles
  // go through the CSSOM, which that policy does not govern. A style string could only become such an attribute:
  // refuse it rather than lose the style silently.
  function setStyles(el, styles) {
    if (typeof styles !== 'object' || Array.isArray(styles)) {
      throw new TypeError('h(): pass style as an object of CSS properties, not as ' + typeof styles);
    }
    Object.keys(styles).forEach(function (name) { el.style.setProperty(name, String(styles[name])); });
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var ICONS = {
    check: 'M20 6 9 17l-5-5',
    x: 'M18 6 6 18M6 6l12 12',
    clock: 'M12 7v5l3 2M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0Z',
    lock: 'M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z',
    alert: 'M12 9v4m0 4h.01M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0Z',
    pen: 'M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z',
    arrow: 'M12 5v14m0 0 6-6m-6 6-6-6',
    download: 'M12 3v12m0 0 5-5m-5 5-5-5M5 21h14',
    wifi: 'M2 8.8a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0M12 20h.01'
  };

  function icon(name, cls) {
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'icon' + (cls ? ' ' + cls : ''));
    var p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', ICONS[name]);
    svg.appendChild(p);
    return svg;
  }

  function str(v) { return typeof v === 'string' ? v : (v === null || v === undefined ? '' : String(v)); }

  // Only allow same-origin or http(s) URLs from the server (no javascript: etc.).
  function safeUrl(u, sameOriginOnly) {
    if (typeof u !== 'string' || !u) return null;
    try {
      var url = new URL(u, location.href);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
      if (sameOriginOnly && url.origin !== location.origin) return null;
      return url.href;
    } catch (e) { return null; }
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  function listNames(names) {
    var clean = (names || []).map(str).filter(Boolean);
    if (!clean.length) return '';
    if (window.Intl && Intl.ListFormat) return new Intl.ListFormat('en', { style: 'long', type: 'conjunction' }).format(clean);
    return clean.join(', ');
  }

  function plural(n, one, many) { return n === 1 ? one : many; }

  function accountName() { return str(state && state.account_name); }
  function requestTitle() { return str(state && state.request && state.request.title); }
  function quoted(t) { return t ? '“' + t + '”' : 'this document'; }

  // ---------------------------------------------------------------- network

  function NetworkError() { this.name = 'NetworkError'; }

  function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(base + path, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
        return { status: res.status, ok: res.ok, data: data };
      });
    }, function () { throw new NetworkError(); }).catch(function (e) {
      if (e instanceof NetworkError) throw e;
      throw new NetworkError();
    });
  }

  function problemText(r, fallback) {
    var d = r && r.data;
    if (d && typeof d.detail === 'string' && d.detail) return d.detail;
    if (d && typeof d.title === 'string' && d.title) return d.title;
    if (r && r.status === 429) return 'Too many attempts. Please wait a while and try again.';
    if (r && r.status >= 500) return 'Something went wrong on our side. Please try again in a moment.';
    return fallback;
  }

  // ---------------------------------------------------------------- screens

  function showScreen(node) {
    main.replaceChildren(node);
    window.scrollTo(0, 0);
    var heading = node.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }

  function setHeader() {
    var name = accountName();
    document.getElementById('account-name').textContent = name || 'Document signing';
    var mark = document.getElementById('brand-mark');
    var initials = name.split(/\s+/).filter(Boolean).slice(0, 2).map(function (w) { return w.charAt(0); }).join('').toUpperCase();
    mark.textContent = initials || '✓';
    var note = document.getElementById('signer-note');
    var signerName = str(state && state.signer && state.signer.name);
    note.textContent = signerName ? 'Signing as ' + signerName : '';
    note.hidden = !signerName;
    var t = requestTitle();
    document.title = t ? 'Review and sign: ' + t : 'Review and sign';
  }

  function showLoading() {
    main.replaceChildren(h('div', { class: 'screen screen-center', role: 'status' },
      h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      h('p', { text: 'Loading your document…' })));
  }

  function showLoadError(message, retry) {
    showScreen(h('section', { class: 'card notice narrow', role: 'alert' },
      h('div', { class: 'notice-icon tone-warn' }, icon('wifi')),
      h('h1', { text: 'We couldn’t load your document' }),
      h('p', { text: message }),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn btn-primary', text: 'Try again', onclick: retry }))));
  }

  var GONE_TITLES = {
    signed: 'You already signed this document',
    declined: 'You declined this document',
    canceled: 'The sender canceled this request',
    expired: 'This signing link has expired',
    completed: 'This document is complete',
    invalid: 'This link isn’t valid'
  };

  function showGone(problem) {
    problem = problem || {};
    var reason = str(problem.reason);
    var detail = str(problem.detail);
    var ok = reason === 'signed' || reason === 'completed';
    showFinal({
      tone: ok ? 'ok' : 'neutral',
      icon: ok ? 'check' : 'alert',
      title: GONE_TITLES[reason] || 'This link can no longer be used',
      body: detail ? 'This link can no longer be used: ' + detail : 'This link can no longer be used.',
      pdfUrl: ok ? problem.signed_pdf_url : null
    });
  }

  function showFinal(opts) {
    var pdf = safeUrl(opts.pdfUrl, false);
    var card = h('section', { class: 'card final tone-' + opts.tone },
      h('div', { class: 'final-icon' }, icon(opts.icon)),
      h('h1', { text: opts.title }),
      h('p', { class: 'final-body', text: opts.body }),
      opts.extra ? h('p', { class: 'muted', text: opts.extra }) : null,
      pdf ? h('a', { class: 'btn btn-primary', href: pdf, download: '' }, icon('download'), 'Download signed PDF') : null,
      h('p', { class: 'muted small', text: 'You can close this page now.' }));
    showScreen(card);
  }

  // ---------------------------------------------------------------- load

  function fetchState() {
    return api('GET', '');
  }

  function load() {
    if (!base) {
      setHeader();
      showGone({ reason: 'invalid', detail: 'the address is incomplete. Open the link from your email again.' });
      return;
    }
    setHeader();
    showLoading();
    fetchState().then(applyState, function () {
      showLoadError(NETWORK_MSG, load);
    });
  }

  // Returns true when the response was handled as a terminal/redirect state.
  function handleGone(r) {
    if (r.status === 410) { showGone(r.data); return true; }
    if (r.status === 404) {
      showGone({ reason: 'invalid', detail: problemText(r, 'we couldn’t find this signing request.') });
      return true;
    }
    return false;
  }

  function applyState(r) {
    if (handleGone(r)) return;
    if (!r.ok || !r.data || typeof r.data !== 'object') {
      showLoadError(problemText(r, 'The server sent an unexpected answer. Please try again.'), load);
      return;
    }
    state = r.data;
    setHeader();
    if (state.status === 'access_code_required') renderAccessCode();
    else if (state.status === 'waiting') renderWaiting();
    else if (state.status === 'ready') {
      if (state.signer && state.signer.consented) renderSigning();
      else renderConsent();
    } else showLoadError('The server sent an unexpected answer. Please try again.', load);
  }

  function setBusy(btn, busy) {
    btn.disabled = busy;
    btn.classList.toggle('is-busy', busy);
    if (busy) btn.setAttribute('aria-busy', 'true'); else btn.removeAttribute('aria-busy');
  }

  function intro(eyebrow) {
    var req = (state && state.request) || {};
    var msg = str(req.message).trim();
    var acct = accountName();
    return h('div', { class: 'intro' },
      h('p', { class: 'eyebrow', text: eyebrow }),
      h('h1', { text: requestTitle() || 'Document' }),
      msg ? h('figure', { class: 'message' },
        h('figcaption', { text: acct ? 'Message from ' + acct : 'Message from the sender' }),
        h('blockquote', { text: msg })) : null);
  }

  function sentLine() {
    var acct = accountName();
    return acct ? acct + ' sent you a document to sign' : 'You have a document to sign';
  }

  // ---------------------------------------------------------------- access code

  function renderAccessCode() {
    var acct = accountName();
    var err = h('p', { class: 'field-error', id: 'code-error', role: 'alert' });
    var input = h('input', {
      id: 'access-code', name: 'code', type: 'text', autocomplete: 'one-time-code',
      autocapitalize: 'off', spellcheck: 'false', required: true, class: 'input input-code',
      'aria-describedby': 'code-hint code-error'
    });
    var btn = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Verify' });
    var form = h('form', { class: 'stack', novalidate: true },
      h('div', { class: 'form-field' },
        h('label', { class: 'label', for: 'access-code', text: 'Access code' }),
        h('p', { class: 'hint', id: 'code-hint', text: 'The sender shared this code with you separately, for example by phone or text message.' }),
        input, err),
      h('div', { class: 'row' }, btn));

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var code = input.value.trim();
      err.textContent = '';
      input.removeAttribute('aria-invalid');
      if (!code) { fail('Enter the access code.'); return; }
      setBusy(btn, true);
      api('POST', '/access-code', { code: code }).then(function (r) {
        if (handleGone(r)) return;
        if (r.ok && r.data && r.data.session_url) {
          var next = safeUrl(r.data.session_url, true);
          if (next) { location.replace(next); return; }
        }
        setBusy(btn, false);
        if (r.ok) fail('The server sent an unexpected answer. Please try again.');
        else if (r.status === 401) fail(problemText(r, 'That code isn’t right. Check it and try again.'));
        else if (r.status === 429) fail(problemText(r, 'Too many attempts. Please wait a while and try again.'));
        else fail(problemText(r, 'We couldn’t check the code. Please try again.'));
      }, function () { setBusy(btn, false); fail(NETWORK_MSG); });
    });

    function fail(msg) {
      err.textContent = msg;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }

    showScreen(h('section', { class: 'card narrow' },
      h('div', { class: 'notice-icon tone-info' }, icon('lock')),
      h('p', { class: 'eyebrow', text: sentLine() }),
      h('h1', { text: 'Enter your access code' }),
      h('p', { text: (acct || 'The sender') + ' protected ' + quoted(requestTitle()) + ' with an access code.' }),
      form));
  }

  // ---------------------------------------------------------------- waiting

  function renderWaiting() {
    var names = (state.waiting_for || []).map(str).filter(Boolean);
    var who = names.length
      ? listNames(names) + ' ' + plural(names.length, 'needs', 'need') + ' to sign first.'
      : 'Someone else needs to sign first.';
    var btn = h('button', { type: 'button', class: 'btn btn-secondary', text: 'Check again', onclick: load });
    showScreen(h('section', { class: 'card narrow' },
      h('div', { class: 'notice-icon tone-info' }, icon('clock')),
      intro(sentLine()),
      h('div', { class: 'callout', role: 'status' },
        h('p', { class: 'callout-title', text: 'It’s not your turn yet' }),
        h('p', { text: who + ' We will email you when it is your turn.' })),
      h('div', { class: 'row' }, btn)));
  }

  // ---------------------------------------------------------------- consent

  function renderConsent() {
    var err = h('p', { class: 'field-error', id: 'consent-error', role: 'alert' });
    var box = h('input', { type: 'checkbox', id: 'consent-check', 'aria-describedby': 'consent-error' });
    var btn = h('button', { type: 'submit', class: 'btn btn-primary', text: 'Continue' });
    var declineBtn = h('button', { type: 'button', class: 'btn btn-quiet', text: 'Decline', onclick: function () { openDecline(declineBtn); } });
    var signer = state.signer || {};

    box.addEventListener('change', function () { if (box.checked) { err.textContent = ''; box.removeAttribute('aria-invalid'); } });

    var form = h('form', { class: 'consent-form', novalidate: true },
      h('h2', { text: 'Before you start' }),
      h('p', { class: 'muted', text: 'You’re about to review and sign electronically. Please confirm:' }),
      h('div', { class: 'check-row' },
        box,
        h('label', { for: 'consent-check', class: 'consent-text', text: str(state.consent_text) || 'I agree to use electronic records and signatures.' })),
      err,
      h('div', { class: 'row row-split' }, btn, declineBtn));

    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!box.checked) {
        err.textContent = 'Check the box to agree before you continue.';
        box.setAttribute('aria-invalid', 'true');
        box.focus();
        return;
      }
      err.textContent = '';
      setBusy(btn, true);
      api('POST', '/consent', {}).then(function (r) {
        if (handleGone(r)) return;
        if (!r.ok) { setBusy(btn, false); err.textContent = problemText(r, 'We couldn’t record your consent. Please try again.'); return; }
        return fetchState().then(applyState);
      }).catch(function () {
        setBusy(btn, false);
        err.textContent = NETWORK_MSG;
      });
    });

    showScreen(h('section', { class: 'card narrow' },
      intro(sentLine()),
      signer.name || signer.email ? h('p', { class: 'signer-line' },
        h('span', { class: 'muted', text: 'For ' }),
        h('strong', { text: str(signer.name) }),
        signer.email ? h('span', { class: 'muted', text: (signer.name ? ' · ' : '') + str(signer.email) }) : null) : null,
      form));
  }

  // ---------------------------------------------------------------- signing

  var S = null; // signing-screen state

  var FIELD_NAMES = {
    signature: 'Signature', initials: 'Initials', date_signed: 'Date signed',
    text: 'Text', checkbox: 'Checkbox', name: 'Name', email: 'Email'
  };

  function loadSignatureFont() {
    if (!fontReady) {
      fontReady = (document.fonts && document.fonts.load)
        ? document.fonts.load('64px "Signature"').then(function () {}, function () {})
        : Promise.resolve();
    }
    return fontReady;
  }

  function renderSigning() {
    var doc = state.document || { pages: [] };
    var pages = (doc.pages || []).slice().sort(function (a, b) { return a.number - b.number; });
    var pageByNumber = {};
    pages.forEach(function (p) { pageByNumber[p.number] = p; });
    var fields = (state.fields || []).filter(function (f) { return f && pageByNumber[f.page]; });
    fields.sort(function (a, b) { return (a.page - b.page) || (a.y - b.y) || (a.x - b.x); });

    S = { fields: [], byId: {}, adopters: {}, summary: null, actionError: null, signBtn: null, side: null };

    var hasSig = fields.some(function (f) { return f.type === 'signature'; });
    var hasIni = fields.some(function (f) { return f.type === 'initials'; });
    if (hasSig || hasIni) loadSignatureFont();

    // Document pages with field overlays.
    var docEl = h('section', { class: 'doc', 'aria-label': 'Document' });
    var counter = 0;
    var pageTotal = doc.page_count || pages.length;
    pages.forEach(function (p) {
      var pw = Number(p.width) || 612, ph = Number(p.height) || 792;
      var img = h('img', {
        class: 'page-img', alt: 'Page ' + p.number + ' of ' + pageTotal, width: Math.round(pw), height: Math.round(ph),
        decoding: 'async', draggable: 'false', src: safeUrl(p.image_url, false) || ''
      });
      var pageEl = h('div', { class: 'page', style: { 'aspect-ratio': pw + ' / ' + ph, '--pw': pw } }, img);
      var failed = h('div', { class: 'page-failed', hidden: true },
        h('p', { text: 'Page ' + p.number + ' didn’t load.' }),
        h('button', { type: 'button', class: 'btn btn-secondary btn-small', text: 'Reload page', onclick: function () {
          failed.hidden = true;
          var src = img.src; img.src = ''; img.src = src;
        } }));
      img.addEventListener('error', function () { if (img.getAttribute('src')) failed.hidden = false; });
      pageEl.appendChild(failed);
      fields.filter(function (f) { return f.page === p.number; }).forEach(function (f) {
        var rec = buildField(f, pw, ph, counter++);
        pageEl.appendChild(rec.wrap);
      });
      docEl.appendChild(h('figure', { class: 'page-wrap' },
        h('figcaption', { class: 'page-label', text: 'Page ' + p.number + ' of ' + pageTotal }), pageEl));
    });

    // Progress + navigation.
    var progText = h('span', { class: 'progress-text' });
    var progFill = h('span', { class: 'progress-fill' });
    var optText = h('span', { class: 'progress-sub' });
    var nextBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-next' }, icon('arrow'), 'Next required field');
    nextBtn.addEventListener('click', goNext);
    var progress = h('div', { class: 'card progress-card' },
      h('div', { class: 'progress-status', role: 'status' }, progText, optText),
      h('span', { class: 'progress-bar', 'aria-hidden': 'true' }, progFill),
      nextBtn);
    S.progress = { text: progText, fill: progFill, sub: optText, card: progress };

    // Adoption panels.
    var adoptEls = [];
    if (hasSig) adoptEls.push(buildAdopter('signature'));
    if (hasIni) adoptEls.push(buildAdopter('initials'));

    // Finish card.
    S.summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
    S.actionError = h('p', { class: 'field-error action-error', role: 'alert' });
    S.signBtn = h('button', { type: 'button', class: 'btn btn-primary btn-block btn-sign', text: 'Sign' });
    S.signBtn.addEventListener('click', submitSign);
    var declineBtn = h('button', { type: 'button', class: 'btn btn-quiet btn-block', text: 'Decline' });
    declineBtn.addEventListener('click', function () { openDecline(declineBtn); });
    var finish = h('section', { class: 'card finish-card', 'aria-labelledby': 'finish-title' },
      h('h2', { id: 'finish-title', text: 'Ready to finish?' }),
      S.summary,
      h('p', { class: 'legal', text: 'When you select Sign, your electronic signature on ' + quoted(requestTitle()) +
        ' is legally binding, just like a handwritten one.' }),
      S.signBtn,
      S.actionError,
      declineBtn);

    var signer = state.signer || {};
    var introCard = h('section', { class: 'card intro-card' },
      intro(sentLine()),
      h('p', { class: 'signer-line' },
        h('span', { class: 'muted', text: 'Signing as ' }),
        h('strong', { text: str(signer.name) || 'you' }),
        signer.email ? h('span', { class: 'muted', text: ' · ' + str(signer.email) }) : null));

    if (!fields.length) {
      introCard.appendChild(h('p', { class: 'hint', text: 'There are no fields for you to fill in. Review the document, then select Sign.' }));
    }

    S.side = h('div', { class: 'side' }, progress, adoptEls, finish);
    showScreen(h('div', { class: 'workspace' }, introCard, docEl, S.side));
    updateProgress();
  }

  function buildField(f, pw, ph, index) {
    var id = 'fld-' + index;
    var label = str(f.label).trim() || FIELD_NAMES[f.type] || 'Field';
    var required = !!f.required;
    var pct = function (v, of) { return (Math.max(0, Number(v) || 0) / of * 100).toFixed(4) + '%'; };
    var acts = f.type === 'signature' || f.type === 'initials' || f.type === 'text' || f.type === 'checkbox';
    var wrap = h('div', {
      class: 'field field-' + f.type + (required && acts ? ' is-required' : ''),
      'data-field-id': str(f.id),
      style: {
        left: pct(f.x, pw), top: pct(f.y, ph), width: pct(f.width, pw), height: pct(f.height, ph),
        '--fh': Number(f.height) || 20, '--fx': ((Number(f.x) || 0) / pw).toFixed(4)
      }
    });
    var errId = id + '-error';
    var err = h('p', { class: 'field-bubble', id: errId, hidden: true });
    var rec = { field: f, id: id, wrap: wrap, label: label, required: required, focusEl: null, err: err, kind: null };
    var tag = h('label', { class: 'field-tag', for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null);

    switch (f.type) {
      case 'signature':
      case 'initials': {
        rec.kind = f.type;
        var name = f.type === 'signature' ? 'Signature' : 'Initials';
        var ph2 = h('span', { class: 'sig-placeholder' }, icon('pen'), h('span', { text: name }));
        var img = h('img', { class: 'sig-img', alt: '', hidden: true });
        var box = h('div', { class: 'sig-box', id: id, role: 'img' }, ph2, img);
        box.addEventListener('click', function () { goToAdopter(f.type, rec); });
        wrap.append(box);
        rec.focusEl = box; rec.img = img; rec.placeholder = ph2;
        break;
      }
      case 'checkbox': {
        var cb = h('input', {
          type: 'checkbox', id: id, class: 'field-check', checked: f.value === true || f.value === 'true',
          required: required, 'aria-required': required ? 'true' : null, 'aria-describedby': errId
        });
        cb.addEventListener('change', function () { clearFieldError(rec); updateProgress(); });
        // Invisible, larger tap target around the small box on the page.
        wrap.append(cb, tag, h('label', { class: 'field-hit', for: id, 'aria-hidden': 'true' }));
        rec.focusEl = cb;
        break;
      }
      case 'date_signed': {
        wrap.append(h('span', { class: 'field-static', title: 'Date (filled when you sign)' },
          h('span', { class: 'fs-main', text: 'Date' }), ' ', h('span', { class: 'fs-sub', text: '(filled when you sign)' })));
        break;
      }
      case 'name':
      case 'email': {
        var ro = h('input', { type: 'text', id: id, class: 'field-input', readOnly: true, value: str(f.value), 'aria-readonly': 'true' });
        wrap.append(ro, tag);
        break;
      }
      default: { // text
        var input = h('input', {
          type: 'text', id: id, class: 'field-input', value: str(f.value), placeholder: label,
          required: required, 'aria-required': required ? 'true' : null, 'aria-describedby': errId,
          autocomplete: 'off', enterkeyhint: 'next'
        });
        input.addEventListener('input', function () { clearFieldError(rec); updateProgress(); });
        input.addEventListener('keydown', function (e) {
          if (e.key === 'Enter' && !e.isComposing) { e.preventDefault(); goNext(); }
        });
        wrap.append(input, tag);
        rec.focusEl = input;
      }
    }
    wrap.append(err);
    S.fields.push(rec);
    S.byId[str(f.id)] = rec;
    return rec;
  }

  function isActionable(rec) {
    var t = rec.field.type;
    return t === 'signature' || t === 'initials' || t === 'text' || t === 'checkbox';
  }

  function isDone(rec) {
    var t = rec.field.type;
    if (t === 'signature' || t === 'initials') return !!(S.adopters[t] && S.adopters[t].isAdopted());
    if (t === 'checkbox') return rec.focusEl.checked;
    if (t === 'text') return rec.focusEl.value.trim() !== '';
    return true;
  }

  // A signature/initials field counts as required: adopting is mandatory when the signer has one.
  function countsAsRequired(rec) {
    return isActionable(rec) && (rec.required || rec.kind !== null);
  }

  function updateProgress() {
    if (!S) return;
    var req = S.fields.filter(countsAsRequired);
    var done = req.filter(isDone).length;
    var optional = S.fields.filter(function (r) { return isActionable(r) && !countsAsRequired(r); }).length;
    var p = S.progress;
    if (req.length) {
      p.text.textContent = done + ' of ' + req.length + ' fields done';
      p.fill.style.width = (done / req.length * 100) + '%';
    } else {
      p.text.textContent = 'No required fields';
      p.fill.style.width = '100%';
    }
    p.sub.textContent = done === req.length ? 'Review the document, then select Sign.'
      : optional ? (optional + ' optional ' + plural(optional, 'field', 'fields')) : '';
    p.card.classList.toggle('is-complete', done === req.length);
    S.fields.forEach(function (rec) {
      if (!isActionable(rec)) return;
      var d = isDone(rec);
      rec.wrap.classList.toggle('is-done', d);
      if (rec.kind) {
        rec.focusEl.setAttribute('aria-label', (rec.kind === 'signature' ? 'Signature' : 'Initials') +
          (d ? ', added' : ', required, not added yet'));
      }
    });
    refreshSummary();
  }

  function scrollBehavior() { return reducedMotion() ? 'auto' : 'smooth'; }

  function flash(el) {
    el.classList.remove('flash');
    void el.offsetWidth; // restart animation
    el.classList.add('flash');
  }

  function goNext() {
    var req = S.fields.filter(function (r) { return countsAsRequired(r) && !isDone(r); });
    if (!req.length) {
      S.signBtn.scrollIntoView({ block: 'center', behavior: scrollBehavior() });
      S.signBtn.focus({ preventScroll: true });
      return;
    }
    // Start after the field that currently has focus, wrapping around.
    var active = document.activeElement;
    var cur = S.fields.findIndex(function (r) { return r.wrap.contains(active); });
    var target = req[0];
    if (cur >= 0) {
      var after = req.filter(function (r) { return S.fields.indexOf(r) > cur; });
      if (after.length) target = after[0];
    }
    focusField(target);
  }

  function focusField(rec) {
    if (rec.kind) { goToAdopter(rec.kind, rec); return; }
    rec.wrap.scrollIntoView({ block: 'center', behavior: scrollBehavior() });
    rec.focusEl.focus({ preventScroll: true });
    flash(rec.wrap);
  }

  function sideIsSticky() {
    return S.side && getComputedStyle(S.side).position === 'sticky';
  }

  // Signature/initials are adopted in their panel; on desktop the panel stays visible beside the document.
  function goToAdopter(kind, rec) {
    var a = S.adopters[kind];
    if (!a) return;
    var target = a.focusTarget();
    if (sideIsSticky()) {
      if (rec) { rec.wrap.scrollIntoView({ block: 'center', behavior: scrollBehavior() }); flash(rec.wrap); }
      a.section.scrollIntoView({ block: 'nearest' });
      target.focus({ preventScroll: true });
    } else {
      a.section.scrollIntoView({ block: 'start', behavior: scrollBehavior() });
      target.focus({ preventScroll: true });
    }
    flash(a.section);
  }

  // ---------------------------------------------------------------- adopt signature / initials

  function buildAdopter(kind) {
    var isSig = kind === 'signature';
    var W = isSig ? 600 : 300, H = 150;
    var p = isSig ? 'sig' : 'ini';
    var title = isSig ? 'Your signature' : 'Your initials';
    var count = S.fields.filter(function (r) { return r.kind === kind; }).length;

    var a = { kind: kind, method: 'typed', typedUrl: null, drawnUrl: null, hasInk: false };

    var typedRadio = h('input', { type: 'radio', name: p + '-method', value: 'typed', checked: true });
    var drawnRadio = h('input', { type: 'radio', name: p + '-method', value: 'drawn' });
    var seg = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': isSig ? 'Signature style' : 'Initials style' },
      h('label', { class: 'seg' }, typedRadio, h('span', { text: 'Type' })),
      h('label', { class: 'seg' }, drawnRadio, h('span', { text: 'Draw' })));

    // Typed.
    var textInput = h('input', {
      type: 'text', id: p + '-text', class: 'input input-script' + (isSig ? '' : ' input-initials'), maxlength: isSig ? 60 : 6, spellcheck: 'false',
      autocomplete: isSig ? 'name' : 'off', autocapitalize: 'words', 'aria-describedby': p + '-error'
    });
    var typedPane = h('div', { class: 'pane' },
      h('label', { class: 'label', for: p + '-text', text: isSig ? 'Type your signature' : 'Type your initials' }),
      textInput);

    // Drawn.
    var canvas = h('canvas', {
      width: W, height: H, class: 'pad-canvas', role: 'img', tabindex: '0',
      'aria-label': isSig ? 'Drawing area for your signature' : 'Drawing area for your initials',
      'aria-describedby': p + '-draw-hint'
    });
    var clearBtn = h('button', { type: 'button', class: 'btn btn-secondary btn-small pad-clear', text: 'Clear' });
    var padHint = h('span', { class: 'pad-placeholder', id: p + '-draw-hint',
      text: isSig ? 'Draw your signature here' : 'Draw initials here' });
    var drawPane = h('div', { class: 'pane', hidden: true },
      h('div', { class: 'pad ' + (isSig ? 'pad-sig' : 'pad-ini') }, padHint, canvas, clearBtn));

    var err = h('p', { class: 'field-error', id: p + '-error', role: 'alert' });
    var section = h('section', { class: 'card adopt', id: p + '-panel', 'aria-labelledby': p + '-title' },
      h('div', { class: 'adopt-head' },
        h('h2', { id: p + '-title', text: title }),
        h('span', { class: 'badge', text: 'Used in ' + count + ' ' + plural(count, 'place', 'places') })),
      seg, typedPane, drawPane, err);

    a.section = section;
    a.err = err;
    a.isAdopted = function () {
      return a.method === 'typed' ? textInput.value.trim() !== '' : a.hasInk;
    };
    a.imageUrl = function () { return a.method === 'typed' ? a.typedUrl : a.drawnUrl; };
    a.focusTarget = function () { return a.method === 'typed' ? textInput : canvas; };
    a.refreshTyped = function () {
      var t = textInput.value.trim();
      a.typedUrl = t ? renderTyped(t, W, H) : null;
    };
    a.payload = function () {
      var url = a.imageUrl();
      if (!url) return null;
      return {
        method: a.method,
        image_png_base64: url.slice(url.indexOf(',') + 1),
        typed_text: a.method === 'typed' ? textInput.value.trim() : null
      };
    };
    a.changed = function () {
      if (a.isAdopted()) { err.textContent = ''; textInput.removeAttribute('aria-invalid'); }
      var url = a.isAdopted() ? a.imageUrl() : null;
      S.fields.forEach(function (r) {
        if (r.kind !== kind) return;
        r.img.hidden = !url;
        r.placeholder.hidden = !!url;
        if (url) r.img.src = url; else r.img.removeAttribute('src');
        if (url) clearFieldError(r);
      });
      updateProgress();
    };

    textInput.addEventListener('input', function () { a.refreshTyped(); a.changed(); });
    loadSignatureFont().then(function () { if (textInput.value.trim()) { a.refreshTyped(); a.changed(); } });

    function setMethod(m) {
      a.method = m;
      typedPane.hidden = m !== 'typed';
      drawPane.hidden = m !== 'drawn';
      a.changed();
    }
    typedRadio.addEventListener('change', function () { if (typedRadio.checked) setMethod('typed'); });
    drawnRadio.addEventListener('change', function () { if (drawnRadio.checked) setMethod('drawn'); });

    setupPad(canvas, function (hasInk) {
      a.hasInk = hasInk;
      padHint.hidden = hasInk;
      a.drawnUrl = hasInk ? canvas.toDataURL('image/png') : null;
      a.changed();
    });
    canvas.addEventListener('inkstart', function () { padHint.hidden = true; });
    clearBtn.addEventListener('click', function () { canvas.clear(); canvas.focus(); });

    S.adopters[kind] = a;
    return section;
  }

  function renderTyped(text, W, H) {
    var c = document.createElement('canvas');
    c.width = W; c.height = H;
    var ctx = c.getContext('2d');
    var size = Math.round(H * 0.52);
    ctx.font = size + 'px ' + SIG_FONT;
    var maxW = W - 32;
    var width = ctx.measureText(text).width;
    if (width > maxW) {
      size = Math.max(14, Math.floor(size * maxW / width));
      ctx.font = size + 'px ' + SIG_FONT;
    }
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(text, W / 2, H * 0.64);
    return c.toDataURL('image/png');
  }

  function setupPad(canvas, onChange) {
    var ctx = canvas.getContext('2d');
    var drawing = false, pointerId = null, last = null, lastMid = null, hasInk = false;

    function pos(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    function style() {
      var r = canvas.getBoundingClientRect();
      var scale = r.width ? canvas.width / r.width : 1;
      ctx.lineWidth = Math.max(2.5, 2.4 * scale);
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.strokeStyle = INK;
      ctx.fillStyle = INK;
    }

    canvas.addEventListener('pointerdown', function (e) {
      if (drawing || (e.pointerType === 'mouse' && e.button !== 0)) return;
      e.preventDefault();
      drawing = true;
      pointerId = e.pointerId;
      try { canvas.setPointerCapture(e.pointerId); } catch (x) { /* ignore */ }
      style();
      last = lastMid = pos(e);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
      hasInk = true;
      canvas.dispatchEvent(new CustomEvent('inkstart'));
    });
    canvas.addEventListener('pointermove', function (e) {
      if (!drawing || e.pointerId !== pointerId) return;
      e.preventDefault();
      var events = (e.getCoalescedEvents && e.getCoalescedEvents()) || [];
      if (!events.length) events = [e];
      events.forEach(function (ev) {
        var p = pos(ev);
        var mid = { x: (last.x + p.x) / 2, y: (last.y + p.y) / 2 };
        ctx.beginPath();
        ctx.moveTo(lastMid.x, lastMid.y);
        ctx.quadraticCurveTo(last.x, last.y, mid.x, mid.y);
        ctx.stroke();
        last = p; lastMid = mid;
      });
    });
    function end(e) {
      if (!drawing || e.pointerId !== pointerId) return;
      drawing = false;
      ctx.beginPath();
      ctx.moveTo(lastMid.x, lastMid.y);
      ctx.lineTo(last.x, last.y);
      ctx.stroke();
      onChange(hasInk);
    }
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('lostpointercapture', end);

    canvas.clear = function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      hasInk = false;
      onChange(false);
    };
  }

  // ---------------------------------------------------------------- validation & submit

  function clearFieldError(rec) {
    rec.err.hidden = true;
    rec.err.textContent = '';
    rec.wrap.classList.remove('has-error');
    if (rec.focusEl) rec.focusEl.removeAttribute('aria-invalid');
  }

  function clearAllErrors() {
    S.fields.forEach(clearFieldError);
    Object.keys(S.adopters).forEach(function (k) { S.adopters[k].err.textContent = ''; });
    S.summary.hidden = true;
    S.summary.replaceChildren();
    S.summaryKind = null;
    S.actionError.textContent = '';
  }

  function setFieldError(rec, msg) {
    rec.err.textContent = msg;
    rec.err.hidden = false;
    rec.wrap.classList.add('has-error');
    if (rec.focusEl) rec.focusEl.setAttribute('aria-invalid', 'true');
  }

  function setAdopterError(kind, msg) {
    var a = S.adopters[kind];
    if (!a) return false;
    a.err.textContent = msg;
    if (a.method === 'typed') a.focusTarget().setAttribute('aria-invalid', 'true');
    S.fields.forEach(function (r) { if (r.kind === kind) setFieldError(r, msg); });
    return true;
  }

  // errors: [{ label, message, go: function }]
  function showSummary(errors, heading) {
    var list = h('ul');
    errors.forEach(function (e) {
      var link = h('a', { href: '#', text: e.label + ': ' + e.message });
      link.addEventListener('click', function (ev) { ev.preventDefault(); e.go(); });
      list.appendChild(h('li', null, link));
    });
    S.summary.replaceChildren(h('p', { class: 'error-summary-title', text: heading }), list);
    S.summary.hidden = false;
  }

  // Missing items, in the order the signer meets them. mark=true also flags them on the page.
  function validate(mark) {
    var errors = [];
    ['signature', 'initials'].forEach(function (kind) {
      var a = S.adopters[kind];
      if (a && !a.isAdopted()) {
        var what = kind === 'signature' ? 'signature' : 'initials';
        var msg = a.method === 'typed'
          ? 'Type your ' + what + ' or switch to Draw.'
          : 'Draw your ' + what + ' or switch to Type.';
        if (mark) setAdopterError(kind, msg);
        errors.push({ label: 'Your ' + what, message: 'not added yet', go: function () { goToAdopter(kind); } });
      }
    });
    S.fields.forEach(function (rec) {
      if (rec.kind || !rec.required || isDone(rec)) return;
      var box = rec.field.type === 'checkbox';
      if (mark) setFieldError(rec, box ? 'Check this box.' : 'Fill in this field.');
      errors.push({ label: rec.label, message: box ? 'not checked' : 'required', go: function () { focusField(rec); } });
    });
    return errors;
  }

  function clientSummary(errors) {
    showSummary(errors, 'Finish ' + errors.length + ' ' + plural(errors.length, 'item', 'items') + ' before signing:');
    S.summaryKind = 'client';
  }

  function refreshSummary() {
    if (S.summaryKind !== 'client' || S.summary.hidden) return;
    var errors = validate(false);
    if (errors.length) clientSummary(errors);
    else { S.summary.hidden = true; S.summary.replaceChildren(); S.summaryKind = null; }
  }

  function submitSign() {
    clearAllErrors();
    var errors = validate(true);
    if (errors.length) {
      clientSummary(errors);
      errors[0].go();
      return;
    }
    setBusy(S.signBtn, true);
    var ready = S.adopters.signature || S.adopters.initials ? loadSignatureFont() : Promise.resolve();
    ready.then(function () {
      var body = { signature: null, initials: null, fields: {} };
      ['signature', 'initials'].forEach(function (kind) {
        var a = S.adopters[kind];
        if (!a) return;
        if (a.method === 'typed') { a.refreshTyped(); a.changed(); }
        body[kind] = a.payload();
      });
      S.fields.forEach(function (rec) {
        var t = rec.field.type;
        if (t === 'text') body.fields[str(rec.field.id)] = rec.focusEl.value.trim();
        else if (t === 'checkbox') body.fields[str(rec.field.id)] = rec.focusEl.checked ? 'true' : 'false';
      });
      return api('POST', '/sign', body);
    }).then(function (r) {
      if (handleGone(r)) return;
      if (r.ok) { showSigned(r.data || {}); return; }
      setBusy(S.signBtn, false);
      if (r.status === 422) { showServerErrors(r); return; }
      actionFail(problemText(r, 'We couldn’t record your signature. Please try again.'));
    }, function () {
      setBusy(S.signBtn, false);
      actionFail(NETWORK_MSG);
    });
  }

  function actionFail(msg) {
    S.actionError.textContent = msg;
    S.actionError.scrollIntoView({ block: 'nearest', behavior: scrollBehavior() });
  }

  function showServerErrors(r) {
    var errs = (r.data && r.data.errors) || {};
    var items = [];
    Object.keys(errs).forEach(function (key) {
      var msgs = Array.isArray(errs[key]) ? errs[key].map(str) : [str(errs[key])];
      var msg = msgs.filter(Boolean).join(' ') || 'Check this field.';
      if (key === 'signature' || key === 'initials') {
        if (setAdopterError(key, msg)) {
          items.push({ label: key === 'signature' ? 'Your signature' : 'Your initials', message: msg, go: function () { goToAdopter(key); } });
          return;
        }
      }
      var rec = key.indexOf('fields.') === 0 ? S.byId[key.slice(7)] : null;
      if (rec) {
        setFieldError(rec, msg);
        items.push({ label: rec.label, message: msg, go: function () { focusField(rec); } });
      } else {
        items.push({ label: 'Problem', message: msg, go: function () { S.summary.focus(); } });
      }
    });
    var detail = problemText(r, 'Some fields need your attention.');
    if (items.length) {
      showSummary(items, detail);
      S.summaryKind = 'server';
      items[0].go();
    } else {
      actionFail(detail);
    }
  }

  function showSigned(res) {
    var completed = res.request_status === 'completed';
    showFinal({
      tone: 'ok', icon: 'check',
      title: 'You signed ' + quoted(requestTitle()),
      body: completed
        ? 'Everyone has signed. We emailed everyone a copy.'
        : 'We will email everyone a copy when all have signed.',
      pdfUrl: res.signed_pdf_url
    });
  }

  // ---------------------------------------------------------------- decline

  var declineOpener = null;
  var declineForm = document.getElementById('decline-form');
  var declineReason = document.getElementById('decline-reason');
  var declineError = document.getElementById('decline-error');
  var declineConfirm = document.getElementById('decline-confirm');

  function openDecline(opener) {
    declineOpener = opener;
    if (opener) opener.classList.add('behind-modal');
    declineError.textContent = '';
    declineReason.removeAttribute('aria-invalid');
    setBusy(declineConfirm, false);
    if (typeof declineDialog.showModal === 'function') declineDialog.showModal();
    else declineDialog.setAttribute('open', '');
    document.body.classList.add('has-modal');
    declineReason.focus();
  }

  function closeDecline() {
    if (declineDialog.open) declineDialog.close();
  }

  declineDialog.addEventListener('close', function () {
    document.body.classList.remove('has-modal');
    if (declineOpener) declineOpener.classList.remove('behind-modal');
    if (declineOpener && declineOpener.isConnected) declineOpener.focus();
    declineOpener = null;
  });
  document.getElementById('decline-cancel').addEventListener('click', closeDecline);
  declineReason.addEventListener('input', function () {
    if (declineReason.value.trim()) { declineError.textContent = ''; declineReason.removeAttribute('aria-invalid'); }
  });

  declineForm.addEventListener('submit', function (e) {
    e.preventDefault();
    var reason = declineReason.value.trim();
    if (!reason) {
      declineError.textContent = 'Tell the sender why you’re declining.';
      declineReason.setAttribute('aria-invalid', 'true');
      declineReason.focus();
      return;
    }
    declineError.textContent = '';
    setBusy(declineConfirm, true);
    api('POST', '/decline', { reason: reason }).then(function (r) {
      if (r.status === 410 || r.status === 404 || r.ok) {
        closeDecline();
        if (handleGone(r)) return;
        var acct = accountName();
        showFinal({
          tone: 'neutral', icon: 'x',
          title: 'You declined ' + quoted(requestTitle()),
          body: (acct ? 'We let ' + acct + ' know' : 'We let the sender know') + ', along with your reason.'
        });
        return;
      }
      setBusy(declineConfirm, false);
      declineError.textContent = problemText(r, 'We couldn’t record that you declined. Please try again.');
    }, function () {
      setBusy(declineConfirm, false);
      declineError.textContent = NETWORK_MSG;
    });
  });

  // ---------------------------------------------------------------- start

  window.addEventListener('unhandledrejection', function () {
    // Never leave a blank page behind an unexpected error.
    if (!main.firstElementChild) showLoadError('Something went wrong. Please try again.', load);
  });

  load();
})();
