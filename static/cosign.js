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
  var L = window.SanziLog;
  if (!L) { return; }
  var hex = L.hex, unhex = L.unhex, b64 = L.b64, unb64 = L.unb64, join = L.join, same = L.same, utf8 = L.utf8;
  var KEYS = "sanzi-cosigner/", LAST = "sanzi-cosigned/";
  var PKCS8 = [48, 46, 2, 1, 0, 48, 5, 6, 3, 43, 101, 112, 4, 34, 4, 32];  // Ed25519 PKCS#8 prefix
  var status = document.getElementById("cosign-status");

  function say(ok, text) { status.className = ok === null ? "" : ok ? "ok" : "bad"; status.textContent = text; }
  function verify(pub, sig, msg) { return L.verify(app.dataset.ed25519, pub, sig, msg); }
  async function sign(seed, msg) {
    try {
      var key = await crypto.subtle.importKey("pkcs8", join(PKCS8, seed), { name: "Ed25519" }, false, ["sign"]);
      return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, msg));
    } catch (e) { return (await L.fallback(app.dataset.ed25519)).sign(seed, msg); }
  }
  async function newKey() {  // [seed, public key]: WebCrypto's Ed25519 where the browser has it
    try {
      var pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
      var pk8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
      return [pk8.slice(pk8.length - 32), new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey))];
    } catch (e) {
      var seed = crypto.getRandomValues(new Uint8Array(32));
      return [seed, await (await L.fallback(app.dataset.ed25519)).publicKey(seed)];
    }
  }

  // -- keys: "<name>+<id>+<base64(type ‖ key)>", signer keys "PRIVATE+KEY+" the same ------------
  function parseKey(text, type) { return L.parseKey(text, type, "钥匙"); }
  async function parseSigner(text) {
    var t = (text || "").trim();
    var m = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+\/]+=*)$/.exec(t);
    var raw = m ? unb64(m[3]) : new Uint8Array(0);
    if (raw.length !== 33 || raw[0] !== 4) { throw new Error("这不是联署私钥文件"); }
    return { name: m[1], id: unhex(m[2].toLowerCase()), seed: raw.slice(1) };
  }

  // -- checkpoints -------------------------------------------------------------------------------
  async function portalSigned(note) {
    var key = await parseKey(app.dataset.portalKey, 1), cp = L.splitNote(note);
    var mine = L.signedBy(cp, key)[0];
    if (!mine || mine.sig.length !== 64 || !(await verify(key.key, mine.sig, utf8(cp.text)))) {
      throw new Error("检查点没有本村门户公钥的有效签名");
    }
    if (!cp.origin.endsWith("/v/" + app.dataset.log)) { throw new Error("这个检查点不是本村的日志"); }
    return cp;
  }
  // The checkpoint in `note` if it carries a valid cosignature by `signer`, else null.
  async function ownCosigned(note, signer, pub) {
    try {
      var cp = L.splitNote(note), line = L.signedBy(cp, signer)[0];
      return line && (await L.cosignatureHolds(app.dataset.ed25519, cp, line, pub)) ? cp : null;
    } catch (e) { return null; }
  }

  // -- making a key ------------------------------------------------------------------------------
  var make = document.getElementById("make-key");
  if (make) {
    make.hidden = false;
    make.addEventListener("click", async function () {
      try {
        var name = app.dataset.newKeyName, pair = await newKey();
        var id = await L.keyId(name, 4, pair[1]);
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
      if (!(await L.extends(app.dataset.consistency, last, cp))) {
        throw new Error("拒绝联署：今天的日志（" + cp.size + " 条）不是您上次联署的日志（" + last.size +
          " 条）的延续，日志被改写过。请不要联署，并向镇纪委报告。");
      }
    }
    var time = Math.floor(Date.now() / 1000), signed = L.cosignedMessage(cp.text, time), sig = await sign(signer.seed, signed);
    if (!(await verify(mine.key, sig, signed))) { throw new Error("签名自检失败"); }
    var line = L.DASH + signer.name + " " + b64(join(signer.id, L.timeBytes(time), sig));
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
