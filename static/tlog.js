// What the phone's check (verify.js) and the committee's co-signing (cosign.js) share: bytes,
// C2SP signed-note keys and checkpoints, tlog-cosignature v1 lines, Ed25519 (WebCrypto, else the
// pure-JavaScript ed25519.js loaded on demand) and the Merkle proofs of RFC 9162 §2.1.3–2.1.4.
// Loaded before either page script; it only defines window.SanziLog.
(function () {
  "use strict";
  var DASH = "\u2014 ";

  // -- bytes ---------------------------------------------------------------------------------
  function hex(bytes) { return Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join(""); }
  function unhex(text) { var a = new Uint8Array(text.length / 2); for (var i = 0; i < a.length; i++) { a[i] = parseInt(text.substr(i * 2, 2), 16); } return a; }
  function b64(bytes) { return btoa(String.fromCharCode.apply(null, bytes)); }
  function unb64(text) { var s = atob(text), a = new Uint8Array(s.length); for (var i = 0; i < s.length; i++) { a[i] = s.charCodeAt(i); } return a; }
  function utf8(text) { return new TextEncoder().encode(text); }
  function join() { var n = 0, i; for (i = 0; i < arguments.length; i++) { n += arguments[i].length; } var r = new Uint8Array(n), o = 0; for (i = 0; i < arguments.length; i++) { r.set(arguments[i], o); o += arguments[i].length; } return r; }
  function same(a, b) { return a.length === b.length && a.every(function (x, i) { return x === b[i]; }); }
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  function node(l, r) { return sha256(join([1], l, r)); }

  // -- Ed25519 -------------------------------------------------------------------------------
  // The pure-JavaScript fallback (static/ed25519.js, its URL in `src`), loaded once when the
  // browser's WebCrypto has no Ed25519.
  var fallbacks = {};
  function fallback(src) {
    fallbacks[src] = fallbacks[src] || new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = function () { resolve(window.SanziEd25519); };
      s.onerror = function () { reject(new Error("无法加载签名程序")); };
      document.head.appendChild(s);
    });
    return fallbacks[src];
  }
  async function verify(src, pub, sig, message) {
    try {
      var key = await crypto.subtle.importKey("raw", pub, { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, sig, message);
    } catch (e) { return (await fallback(src)).verify(pub, sig, message); }
  }

  // -- keys and signed notes (C2SP signed-note) ----------------------------------------------
  async function keyId(name, type, key) { return (await sha256(join(utf8(name + "\n"), [type], key))).slice(0, 4); }
  // "<name>+<hex key id>+<base64(type ‖ public key)>" → {name, id, key}; `noun` names it in the
  // error ("公钥格式不对"). The base64 may hold "+", hence the anchored pattern.
  async function parseKey(text, type, noun) {
    var m = /^([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+\/]+=*)$/.exec((text || "").trim());
    var raw = m ? unb64(m[3]) : new Uint8Array(0);
    if (raw.length !== 33 || raw[0] !== type) { throw new Error(noun + "格式不对"); }
    var id = await keyId(m[1], type, raw.slice(1));
    if (hex(id) !== m[2].toLowerCase()) { throw new Error(noun + "的编号与" + noun + "不符"); }
    return { name: m[1], id: id, key: raw.slice(1) };
  }
  // A checkpoint note → {text, origin, size, root (base64), sigs: [{name, id, sig, line}]}.
  function splitNote(note) {
    var at = note.lastIndexOf("\n\n");
    if (at < 0 || note.slice(-1) !== "\n") { throw new Error("检查点格式不对"); }
    var sigs = note.slice(at + 2, -1).split("\n").map(function (line) {
      if (line.indexOf(DASH) !== 0) { throw new Error("检查点的签名行格式不对"); }
      var rest = line.slice(DASH.length), sp = rest.indexOf(" "), raw = unb64(rest.slice(sp + 1));
      return { name: rest.slice(0, sp), id: raw.slice(0, 4), sig: raw.slice(4), line: line };
    });
    var lines = note.slice(0, at).split("\n");
    if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1]) || unb64(lines[2]).length !== 32) { throw new Error("检查点格式不对"); }
    return { text: note.slice(0, at + 1), origin: lines[0], size: Number(lines[1]), root: lines[2], sigs: sigs };
  }
  // The signature lines of `cp` by `key` ({name, id}).
  function signedBy(cp, key) { return cp.sigs.filter(function (s) { return s.name === key.name && same(s.id, key.id); }); }

  // -- cosignatures (C2SP tlog-cosignature v1: 8-byte timestamp, then Ed25519) -----------------
  function cosignedMessage(text, time) { return utf8("cosignature/v1\ntime " + time + "\n" + text); }
  function timeOf(sig) { var t = 0; for (var i = 0; i < 8; i++) { t = t * 256 + sig[i]; } return t; }
  function timeBytes(t) { var out = new Uint8Array(8); for (var i = 7; i >= 0; i--) { out[i] = t % 256; t = Math.floor(t / 256); } return out; }
  // Whether `line` (a signature line of checkpoint `cp`) is a valid cosignature by `pub`.
  async function cosignatureHolds(src, cp, line, pub) {
    return line.sig.length === 72 && verify(src, pub, line.sig.slice(8), cosignedMessage(cp.text, timeOf(line.sig)));
  }

  // -- Merkle proofs (RFC 9162) --------------------------------------------------------------
  async function rootFromInclusion(index, size, leaf, path) {  // §2.1.3.2
    if (!(index >= 0 && index < size)) { throw new Error("包含证明的序号超出日志范围"); }
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      if (sn === 0) { throw new Error("包含证明太长"); }
      if (fn % 2 === 1 || fn === sn) {
        r = await node(path[i], r);
        while (fn % 2 === 0 && fn !== 0) { fn /= 2; sn = Math.floor(sn / 2); }
      } else { r = await node(r, path[i]); }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) { throw new Error("包含证明太短"); }
    return r;
  }
  // Whether `proof` shows the tree (size1, root1) is a prefix of the tree (size2, root2): §2.1.4.2.
  async function consistent(size1, size2, root1, root2, proof) {
    if (size1 > size2) { return false; }
    if (size1 === size2) { return same(root1, root2) && proof.length === 0; }
    if (size1 === 0) { return proof.length === 0; }
    var k = size1; while (k % 2 === 0) { k /= 2; }
    var path = k === 1 ? [root1].concat(proof) : proof;  // size1 a power of two: root1 is a node
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
  // Fetches the consistency proof from `url` (…?old=&new=) and checks it: old → new checkpoint.
  async function extends_(url, old, cp) {
    var proof = await (await fetch(url + "?old=" + old.size + "&new=" + cp.size, { cache: "no-store" })).json();
    return Array.isArray(proof.path) && consistent(old.size, cp.size, unb64(old.root), unb64(cp.root), proof.path.map(unhex));
  }

  window.SanziLog = {
    DASH: DASH, hex: hex, unhex: unhex, b64: b64, unb64: unb64, utf8: utf8, join: join, same: same, sha256: sha256,
    fallback: fallback, verify: verify, keyId: keyId, parseKey: parseKey, splitNote: splitNote, signedBy: signedBy,
    cosignedMessage: cosignedMessage, timeOf: timeOf, timeBytes: timeBytes, cosignatureHolds: cosignatureHolds,
    rootFromInclusion: rootFromInclusion, consistent: consistent, extends: extends_
  };
}());
