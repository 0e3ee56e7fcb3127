// 联署 (/committee/cosign): a committee member's device makes the witness key and co-signs.
// The private key never leaves the device (kept in this browser's storage, and offered as a file
// to keep); the server gets the public key and signature lines only. Before signing, the device
// checks that today's checkpoint is signed by the village's portal key and extends the last
// checkpoint this key co-signed (RFC 9162 consistency proof), remembered here and on the server
// (a server copy counts only if it carries this key's own valid cosignature). A rewritten log
// is refused. Format: C2SP tlog-cosignature v1 (Ed25519, key id type 0x04, timestamped).
(function () {
  "use strict";
  var app = document.getElementById("cosign-app");
  if (!app || !window.crypto || !crypto.subtle || !window.fetch || !window.TextEncoder) { return; }
  var DASH = "\u2014 ", KEYS = "sanzi-cosigner/", LAST = "sanzi-cosigned/";
  var PKCS8 = [48, 46, 2, 1, 0, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32];  // Ed25519 PKCS#8 prefix
  var status = document.getElementById("cosign-status");

  function hex(b) { return Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join(""); }
  function unhex(t) { var a = new Uint8Array(t.length / 2); for (var i = 0; i < a.length; i++) { a[i] = parseInt(t.substr(i * 2, 2), 16); } return a; }
  function b64(b) { return btoa(String.fromCharCode.apply(null, b)); }
  function unb64(t) { var s = atob(t), a = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) { a[i] = s.charCodeAt(i); } return a; }
  function utf8(t) { return new TextEncoder().encode(t); }
  function join() { var n = 0, i; for (i = 0; i < arguments.length; i++) { n += arguments[i].length; } var r = new Uint8Array(n), o = 0; for (i = 0; i < arguments.length; i++) { r.set(arguments[i], o); o += arguments[i].length; } return r; }
  function same(a, b) { return a.length === b.length && a.every(function (x, i) { return x === b[i]; }); }
  async function sha256(b) { return new Uint8Array(await crypto.subtle.digest("SHA-256", b)); }
  function node(l, r) { return sha256(join([1], l, r)); }
  function say(ok, text) { status.className = ok === null ? "" : ok ? "ok" : "bad"; status.textContent = text; }

  var fallback = null;
  function pureJs() {
    fallback = fallback || new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = app.dataset.ed25519;
      s.onload = function () { resolve(window.SanziEd25519); };
      s.onerror = function () { reject(new Error("无法加载签名程序")); };
      document.head.appendChild(s);
    });
    return fallback;
  }
  async function verify(pub, sig, msg) {
    try {
      var key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, sig, msg);
    } catch (e) { return (await pureJs()).verify(pub, sig, msg); }
  }
  async function sign(seed, msg) {
    try {
      var key = await crypto.subtle.importKey("pkcs8", join(PKCS8, seed), { name: "Ed25519" }, false, ["sign"]);
      return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, msg));
    } catch (e) { return (await pureJs()).sign(seed, msg); }
  }
  async function newKey() {  // [seed, public key]: WebCrypto's Ed25519 where the browser has it
    try {
      var pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
      var pk8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
      return [pk8.slice(pk8.length - 32), new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey))];
    } catch (e) {
      var seed = crypto.getRandomValues(new Uint8Array(32));
      return [seed, await (await pureJs()).publicKey(seed)];
    }
  }

  // -- keys: "<name>+<id>+<base64(type ‖ key)>", signer keys "PRIVATE+KEY+" the same ------------
  async function keyId(name, type, key) { return (await sha256(join(utf8(name + "\n"), [type], key))).slice(0, 4); }
  async function parseKey(text, type) {
    var m = /^([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+\/]+=*)$/.exec((text || "").trim());
    var raw = m ? unb64(m[3]) : new Uint8Array(0);
    if (raw.length !== 33 || raw[0] !== type) { throw new Error("钥匙格式不对"); }
    if (hex(await keyId(m[1], type, raw.slice(1))) !== m[2].toLowerCase()) { throw new Error("钥匙的编号与钥匙不符"); }
    return { name: m[1], id: unhex(m[2].toLowerCase()), key: raw.slice(1) };
  }
  async function parseSigner(text) {
    var t = (text || "").trim();
    var m = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+\/]+=*)$/.exec(t);
    var raw = m ? unb64(m[3]) : new Uint8Array(0);
    if (raw.length !== 33 || raw[0] !== 4) { throw new Error("这不是联署私钥文件"); }
    return { name: m[1], id: unhex(m[2].toLowerCase()), seed: raw.slice(1) };
  }

  // -- notes and checkpoints ---------------------------------------------------------------------
  function splitNote(note) {
    var at = note.lastIndexOf("\n\n");
    if (at < 0 || note.slice(-1) !== "\n") { throw new Error("检查点格式不对"); }
    var sigs = note.slice(at + 2, -1).split("\n").map(function (line) {
      if (line.indexOf(DASH) !== 0) { throw new Error("检查点的签名行格式不对"); }
      var rest = line.slice(DASH.length), sp = rest.indexOf(" "), raw = unb64(rest.slice(sp + 1));
      return { name: rest.slice(0, sp), id: raw.slice(0, 4), raw: raw.slice(4), line: line };
    });
    var lines = note.slice(0, at).split("\n");
    if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1]) || unb64(lines[2]).length !== 32) { throw new Error("检查点格式不对"); }
    return { text: note.slice(0, at + 1), origin: lines[0], size: Number(lines[1]), root: unb64(lines[2]), sigs: sigs };
  }
  function message(text, time) { return utf8("cosignature/v1\ntime " + time + "\n" + text); }
  function timeOf(raw) { var t = 0; for (var i = 0; i < 8; i++) { t = t * 256 + raw[i]; } return t; }
  function timeBytes(t) { var out = new Uint8Array(8); for (var i = 7; i >= 0; i--) { out[i] = t % 256; t = Math.floor(t / 256); } return out; }

  async function portalSigned(note) {
    var key = await parseKey(app.dataset.portalKey, 1), cp = splitNote(note);
    var mine = cp.sigs.filter(function (s) { return s.name === key.name && same(s.id, key.id); })[0];
    if (!mine || mine.raw.length !== 64 || !(await verify(key.key, mine.raw, utf8(cp.text)))) {
      throw new Error("检查点没有本村门户公钥的有效签名");
    }
    if (!cp.origin.endsWith("/v/" + app.dataset.log)) { throw new Error("这个检查点不是本村的日志"); }
    return cp;
  }
  // The checkpoint in `note` if it carries a valid cosignature by `signer`, else null.
  async function ownCosigned(note, signer, pub) {
    try {
      var cp = splitNote(note);
      var line = cp.sigs.filter(function (s) { return s.name === signer.name && same(s.id, signer.id); })[0];
      if (!line || line.raw.length !== 72) { return null; }
      return (await verify(pub, line.raw.slice(8), message(cp.text, timeOf(line.raw)))) ? cp : null;
    } catch (e) { return null; }
  }

  async function consistent(size1, size2, root1, root2, proof) {  // RFC 9162 §2.1.4.2
    if (size1 > size2) { return false; }
    if (size1 === size2) { return same(root1, root2) && proof.length === 0; }
    if (size1 === 0) { return proof.length === 0; }
    var k = size1; while (k % 2 === 0) { k /= 2; }
    var path = k === 1 ? [root1].concat(proof) : proof;
    if (!path.length) { return false; }
    var fn = size1 - 1, sn = size2 - 1;
    while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    var fr = path[0], sr = path[0];
    for (var i = 1; i < path.length; i++) {
      if (sn === 0) { return false; }
      if (fn % 2 === 1 || fn === sn) {
        fr = await node(path[i], fr); sr = await node(path[i], sr);
        while (fn % 2 === 0 && fn !== 0) { fn /= 2; sn = Math.floor(sn / 2); }
      } else { sr = await node(sr, path[i]); }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && same(fr, root1) && same(sr, root2);
  }

  // -- making a key ------------------------------------------------------------------------------
  var make = document.getElementById("make-key");
  if (make) {
    make.hidden = false;
    make.addEventListener("click", async function () {
      try {
        var name = app.dataset.newKeyName, pair = await newKey();
        var id = await keyId(name, 4, pair[1]);
        var vkey = name + "+" + hex(id) + "+" + b64(join([4], pair[1]));
        var signer = "PRIVATE+KEY+" + name + "+" + hex(id) + "+" + b64(join([4], pair[0]));
        localStorage.setItem(KEYS + vkey, signer);
        document.getElementById("verifier_key").value = vkey;
        var save = document.getElementById("save-key");
        save.href = "data:text/plain;charset=utf-8," + encodeURIComponent(signer + "\n");
        save.hidden = false;
        say(true, "已在本机生成钥匙（私钥只在这台设备上）。请点“保存私钥文件”留一份，再点“登记公钥”。");
      } catch (err) { say(false, "无法生成钥匙：" + err.message); }
    });
  }

  // -- co-signing --------------------------------------------------------------------------------
  async function signerText() {
    var kept = localStorage.getItem(KEYS + app.dataset.myKey);
    if (kept) { return kept; }
    var file = document.getElementById("key-file");
    if (file && file.files && file.files[0]) { return (await file.files[0].text()).trim(); }
    throw new Error("这台设备上没有您的私钥：请选择您保存的私钥文件");
  }

  async function cosign() {
    var mine = await parseKey(app.dataset.myKey, 4);
    var signer = await parseSigner(await signerText());
    if (signer.name !== mine.name || !same(signer.id, mine.id)) { throw new Error("这个私钥不是您登记的那把钥匙"); }
    localStorage.setItem(KEYS + app.dataset.myKey, "PRIVATE+KEY+" + signer.name + "+" + hex(signer.id) + "+" + b64(join([4], signer.seed)));
    say(null, "正在取今天的检查点并核对……");
    var note = await (await fetch(app.dataset.checkpoint, { cache: "no-store" })).text();
    var cp = await portalSigned(note);
    // The last checkpoint this key co-signed: this device's memory, or the server's copy.
    var seen = [localStorage.getItem(LAST + app.dataset.myKey), app.dataset.lastNote].filter(Boolean);
    var last = null;
    for (var i = 0; i < seen.length; i++) {
      var c = await ownCosigned(seen[i], mine, mine.key);
      if (c && (!last || c.size > last.size)) { last = c; }
    }
    if (last) {
      if (last.origin !== cp.origin) { throw new Error("拒绝联署：检查点不是同一个日志的"); }
      if (cp.size < last.size) { throw new Error("拒绝联署：日志变短了（上次联署时 " + last.size + " 条，现在 " + cp.size + " 条），日志被改写过"); }
      var proof = await (await fetch(app.dataset.consistency + "?old=" + last.size + "&new=" + cp.size, { cache: "no-store" })).json();
      var ok = Array.isArray(proof.path) && await consistent(last.size, cp.size, last.root, cp.root, proof.path.map(unhex));
      if (!ok) {
        throw new Error("拒绝联署：今天的日志（" + cp.size + " 条）不是您上次联署的日志（" + last.size +
          " 条）的延续，日志被改写过。请不要联署，并向镇纪委报告。");
      }
    }
    var time = Math.floor(Date.now() / 1000), sig = await sign(signer.seed, message(cp.text, time));
    if (!(await verify(mine.key, sig, message(cp.text, time)))) { throw new Error("签名自检失败"); }
    var line = DASH + signer.name + " " + b64(join(signer.id, timeBytes(time), sig));
    localStorage.setItem(LAST + app.dataset.myKey, cp.text + "\n" + line + "\n");
    var form = document.getElementById("cosign-form");
    form.querySelector("[name=checkpoint]").value = note;
    form.querySelector("[name=cosignature]").value = line;
    say(true, "核对通过：今天的日志是上次联署的延续。正在提交联署……");
    form.submit();
  }

  var button = document.getElementById("do-cosign");
  if (button && app.dataset.myKey) {
    button.hidden = false;
    var picker = document.getElementById("key-picker");
    if (picker) { picker.hidden = !!localStorage.getItem(KEYS + app.dataset.myKey); }
    button.addEventListener("click", function () {
      cosign().catch(function (err) { app.dataset.refused = "1"; say(false, err.message); });
    });
  }
}());
