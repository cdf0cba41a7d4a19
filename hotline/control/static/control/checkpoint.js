/* The checkpoint page: scan (camera, image file or typed card number), verify the pass's
 * Ed25519 signature with the cached public keys (tweetnacl), apply the outing rules to the
 * cached snapshot (mirror of hotline/control/rules.py `decide`; change both together), show
 * the verdict, register the passage in a local queue and send the queue when online.
 * Everything the page needs to decide is in localStorage, so it keeps working offline. */
(function () {
  "use strict";
  var root = document.getElementById("cp");
  if (!root) return;
  var code = root.dataset.code;
  var BUNDLE_KEY = "control-bundle-" + code;
  var QUEUE_KEY = "control-queue-" + code;
  var bundle = null;
  var current = null; // {token, data, verdict}
  var lastScan = {token: "", at: 0};
  var el = function (id) { return document.getElementById(id); };

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function queue() { return load(QUEUE_KEY, []); }
  function nowEpoch() { return Math.floor(Date.now() / 1000); }
  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function status(extra) {
    var q = queue().length;
    var parts = [navigator.onLine ? "在线" : "离线"];
    if (bundle) parts.push("名单更新于 " + new Date(bundle.generated * 1000).toLocaleTimeString("zh-CN"));
    parts.push(q ? "待同步 " + q + " 条" : "无待同步记录");
    if (extra) parts.push(extra);
    el("cp-status").textContent = parts.join(" · ");
    el("cp-status").dataset.queue = String(q);
  }

  function refresh() {
    return fetch(root.dataset.bundleUrl, {credentials: "same-origin", cache: "no-store"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (b) { bundle = b; save(BUNDLE_KEY, b); status(); })
      .catch(function () {
        bundle = bundle || load(BUNDLE_KEY, null);
        status(bundle ? "使用缓存名单" : "无缓存名单，请联网后刷新");
      });
  }

  // ---- pass parsing and verification (format: hotline/control/passes.py)
  function b64u(text) {
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function Refused(reason) { this.reason = reason; }

  function verifyToken(token) {
    token = (token || "").trim();
    if (token.indexOf("~") < 0) {
      var card = token.toUpperCase(), h = bundle.households[card];
      if (!h || !h.serial) throw new Refused("unknown_card");
      return {kind: "H", kid: "", serial: h.serial, card: card, member: null, from: h.from, until: h.until};
    }
    var cut = token.lastIndexOf("~");
    var payload = token.slice(0, cut), sig = token.slice(cut + 1);
    var p = payload.split("~");
    if (p.length !== 8 || p[0] !== "1" || (p[1] !== "H" && p[1] !== "O")) throw new Refused("malformed");
    var data = {kind: p[1], kid: p[2], serial: p[3], card: p[4],
                member: p[5] ? parseInt(p[5], 10) : null,
                from: parseInt(p[6], 36), until: parseInt(p[7], 36)};
    if (isNaN(data.from) || isNaN(data.until)) throw new Refused("malformed");
    var sigBytes;
    try { sigBytes = b64u(sig); } catch (e) { throw new Refused("malformed"); }
    if (sigBytes.length !== 64) throw new Refused("malformed");
    var pub = bundle.keys[data.kid];
    if (!pub) throw new Refused("unknown_key");
    var ok = nacl.sign.detached.verify(new TextEncoder().encode(payload), sigBytes, b64u(pub));
    if (!ok) throw new Refused("forged");
    return data;
  }

  // ---- rules (mirror of rules.decide)
  var dayFormats = {};
  function localDay(epoch, tz) {
    if (!dayFormats[tz]) {
      dayFormats[tz] = new Intl.DateTimeFormat("en-CA", {timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit"});
    }
    return dayFormats[tz].format(new Date(epoch * 1000));
  }

  function decide(data, direction, now, member) {
    if (bundle.revoked.indexOf(data.serial) >= 0) return {reason: "revoked"};
    if (!(data.from <= now && now <= data.until)) return {reason: "expired_pass"};
    var household = bundle.households[data.card];
    if (!household) return {reason: "unknown_card"};
    var rule = bundle.rule;
    if (!rule || !(rule.starts <= now && now <= rule.ends)) return {reason: "no_rule"};
    if (data.member !== null) member = data.member;
    var today = localDay(now, rule.tz);
    var passages = (bundle.passages[data.card] || []).filter(function (p) { return localDay(p.at, rule.tz) === today; });
    passages.sort(function (a, b) { return a.at - b.at; });
    var out = {};
    passages.forEach(function (p) { out[p.member] = p.dir === "exit"; });
    var openMembers = Object.keys(out).filter(function (m) { return out[m]; });
    if (direction === "return") {
      if (!openMembers.length) return {reason: "not_out", member: member};
      var chosenBack = (member !== null && openMembers.indexOf(String(member)) >= 0) ? member : openMembers[0];
      return {reason: "ok", member: chosenBack === "null" ? null : Number(chosenBack)};
    }
    var limit = rule.test_hours * 3600;
    var eligible = Object.keys(household.members).filter(function (n) {
      var m = household.members[n];
      return m.neg && m.neg <= now && now <= m.neg + limit;
    }).map(Number).sort(function (a, b) { return a - b; });
    if (member !== null && eligible.indexOf(Number(member)) < 0) return {reason: "no_valid_test", member: member, eligible: eligible};
    if (!eligible.length) return {reason: "no_valid_test", member: member, eligible: eligible};
    var chosen = member !== null ? Number(member) : eligible[0];
    var exempt = (household.members[String(chosen)] || {}).exempt || "";
    if (exempt && rule.exemptions.indexOf(exempt) >= 0) return {reason: "ok", member: chosen, eligible: eligible};
    var exits = passages.filter(function (p) { return p.dir === "exit"; }).length;
    if (exits >= rule.outings) return {reason: "quota_used", member: chosen, eligible: eligible};
    if (openMembers.length >= rule.persons) return {reason: "already_out", member: chosen, eligible: eligible};
    return {reason: "ok", member: chosen, eligible: eligible};
  }

  // ---- scanning
  function direction() { return document.querySelector("input[name=direction]:checked").value; }

  function check(token, member) {
    if (!bundle) { show({reason: "no_rule"}, null, token); return; }
    var now = nowEpoch(), data = null, verdict;
    try {
      data = verifyToken(token);
      verdict = decide(data, direction(), now, member === undefined ? null : member);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      verdict = {reason: e.reason};
    }
    current = {token: token, data: data, verdict: verdict, at: now, direction: direction()};
    show(verdict, data, token);
    if (verdict.reason !== "ok") register(false);
  }

  function show(verdict, data, token) {
    var box = el("cp-result");
    box.hidden = false;
    var ok = verdict.reason === "ok";
    box.className = "cp-result " + (ok ? "cp-green" : "cp-red");
    var words = bundle && bundle.reasons ? bundle.reasons[verdict.reason] : verdict.reason;
    el("cp-verdict").textContent = (ok ? "✔ " : "✘ ") + (words || verdict.reason);
    el("cp-verdict").dataset.reason = verdict.reason;
    var detail = data ? "出入卡 " + data.card + " · 凭证 " + data.serial : "";
    el("cp-detail").textContent = detail;
    var members = el("cp-members");
    members.textContent = "";
    if (data && bundle.households[data.card]) {
      var hh = bundle.households[data.card].members;
      Object.keys(hh).forEach(function (n) {
        var m = hh[n], b = document.createElement("button");
        var valid = verdict.eligible && verdict.eligible.indexOf(Number(n)) >= 0;
        b.type = "button";
        b.className = "cp-member" + (Number(n) === verdict.member ? " cp-chosen" : "") + (valid ? "" : " cp-invalid");
        b.textContent = n + " 号 " + m.name + " " + m.id + (valid ? " · 核酸有效" : "");
        b.addEventListener("click", function () { check(current.token, Number(n)); });
        members.appendChild(b);
      });
    }
    el("cp-confirm").hidden = !ok;
    el("cp-confirm").textContent = current && current.direction === "return" ? "确认返回并登记" : "确认放行并登记";
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function register(allowed) {
    if (!current) return;
    var item = {
      client_id: uuid(), token: current.token, direction: current.direction,
      at: new Date(current.at * 1000).toISOString(),
      decision: allowed ? "allowed" : "refused", reason: current.verdict.reason,
      member: current.verdict.member === undefined ? null : current.verdict.member,
      offline: !navigator.onLine
    };
    var q = queue(); q.push(item); save(QUEUE_KEY, q);
    if (allowed && current.data) {
      (bundle.passages[current.data.card] = bundle.passages[current.data.card] || []).push(
        {dir: item.direction, at: current.at, member: item.member});
      save(BUNDLE_KEY, bundle);
    }
    var li = document.createElement("li");
    li.textContent = new Date().toLocaleTimeString("zh-CN") + " " + (current.data ? current.data.card : "—") + " " +
      (item.direction === "exit" ? "外出" : "返回") + " " + (allowed ? "已登记" : "拦下：" + (bundle.reasons[item.reason] || item.reason));
    el("cp-log").prepend(li);
    if (allowed) {
      el("cp-confirm").hidden = true;
      el("cp-verdict").textContent = "✔ 已登记" + (item.direction === "exit" ? "外出" : "返回");
    }
    status();
    flush();
  }

  var flushing = false;
  function flush() {
    var q = queue();
    if (!q.length || flushing) { status(); return Promise.resolve(); }
    flushing = true;
    var batch = q.slice(0, 500);
    return fetch(root.dataset.syncUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf()},
      body: JSON.stringify({passages: batch})
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.message || r.status);
        var sent = {}; batch.forEach(function (i) { sent[i.client_id] = 1; });
        save(QUEUE_KEY, queue().filter(function (i) { return !sent[i.client_id]; }));
        status("已同步 " + (body.created + body.duplicates) + " 条" + (body.conflicts ? "，其中 " + body.conflicts + " 条与服务器记录不一致" : ""));
      });
    }).catch(function (e) {
      status(navigator.onLine ? "同步失败：" + e.message : "离线，联网后自动同步");
    }).then(function () { flushing = false; });
  }

  // ---- camera and image decoding (jsQR)
  var video = el("cp-video"), canvas = el("cp-canvas"), ctx = canvas.getContext("2d", {willReadFrequently: true});
  function decodeFrom(source, w, h) {
    canvas.width = w; canvas.height = h;
    ctx.drawImage(source, 0, 0, w, h);
    var img = ctx.getImageData(0, 0, w, h);
    var hit = jsQR(img.data, w, h, {inversionAttempts: "dontInvert"});
    return hit ? hit.data : null;
  }
  function onToken(token) {
    // A card held in front of the camera is one scan: the same token is ignored until it has
    // been out of sight for 3 seconds.
    var t = Date.now(), same = token === lastScan.token && t - lastScan.at < 3000;
    lastScan = {token: token, at: t};
    if (!same) check(token);
  }
  function tick() {
    if (video.hidden) return;
    if (video.readyState >= 2 && video.videoWidth) {
      var token = decodeFrom(video, video.videoWidth, video.videoHeight);
      if (token) onToken(token);
    }
    setTimeout(tick, 200);
  }
  el("cp-camera").addEventListener("click", function () {
    if (video.srcObject) { // second press: camera off
      video.srcObject.getTracks().forEach(function (track) { track.stop(); });
      video.srcObject = null; video.hidden = true;
      el("cp-camera").textContent = "打开摄像头扫码";
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status("此浏览器无法使用摄像头，请输入卡号"); return;
    }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (stream) {
      video.srcObject = stream; video.hidden = false; video.play(); tick();
      el("cp-camera").textContent = "关闭摄像头";
    }).catch(function () { status("无法打开摄像头，请检查授权，或输入卡号"); });
  });
  el("cp-file").addEventListener("change", function (e) {
    var file = e.target.files[0];
    if (!file) return;
    var img = new Image();
    img.onload = function () {
      var token = decodeFrom(img, img.naturalWidth, img.naturalHeight);
      URL.revokeObjectURL(img.src);
      if (token) { lastScan = {token: "", at: 0}; onToken(token); } else { status("图片中未找到二维码"); }
    };
    img.src = URL.createObjectURL(file);
    e.target.value = "";
  });
  el("cp-typed").addEventListener("submit", function (e) {
    e.preventDefault();
    var n = el("cp-number").value.trim();
    if (n) check(n);
  });
  el("cp-confirm").addEventListener("click", function () { register(true); });
  el("cp-refresh").addEventListener("click", function () { flush().then(refresh); });
  el("cp-sync").addEventListener("click", flush);
  window.addEventListener("online", function () { flush().then(refresh); });
  window.addEventListener("offline", function () { status(); });
  setInterval(flush, 15000);

  // The service worker keeps this page and its scripts for a reload without network.
  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.cached) root.dataset.offlineReady = "1";
    });
    navigator.serviceWorker.register(root.dataset.swUrl, {scope: "/checkpoint/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = [location.pathname];
      document.querySelectorAll("script[src], link[rel=stylesheet]").forEach(function (node) {
        urls.push(node.src || node.href);
      });
      registration.active.postMessage({cache: urls});
    }).catch(function () { /* no service worker: the page still works while it stays open */ });
  }

  bundle = load(BUNDLE_KEY, null);
  refresh().then(flush);
})();
