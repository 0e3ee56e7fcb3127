// Re-checks a record's proof bundle in the browser with WebCrypto (RFC 9162 inclusion proof).
// Optional: the page states the proof without it; this only lets a reader check it locally.
(function () {
  "use strict";
  var box = document.getElementById("browser-verify");
  if (!box || !window.crypto || !crypto.subtle || !window.fetch) { return; }
  box.hidden = false;
  var button = box.querySelector("button");
  var out = box.querySelector("output");

  function hex(bytes) { return Array.from(new Uint8Array(bytes), function (b) { return b.toString(16).padStart(2, "0"); }).join(""); }
  function unhex(text) { var a = new Uint8Array(text.length / 2); for (var i = 0; i < a.length; i++) { a[i] = parseInt(text.substr(i * 2, 2), 16); } return a; }
  function concat(prefix, a, b) { var r = new Uint8Array(1 + a.length + (b ? b.length : 0)); r[0] = prefix; r.set(a, 1); if (b) { r.set(b, 1 + a.length); } return r; }
  function sha256(bytes) { return crypto.subtle.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); }); }

  // RFC 9162 §2.1.3.2, step by step.
  async function rootFromPath(index, size, leaf, path) {
    if (index >= size) { throw new Error("index ≥ size"); }
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      var p = unhex(path[i]);
      if (sn === 0) { throw new Error("proof too long"); }
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(concat(1, p, r));
        if (fn % 2 === 0) { while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        r = await sha256(concat(1, r, p));
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) { throw new Error("proof too short"); }
    return r;
  }

  button.addEventListener("click", async function () {
    out.textContent = "正在核验…";
    try {
      var bundle = await (await fetch(box.dataset.bundle, { cache: "no-store" })).json();
      var entryHash = await sha256(new TextEncoder().encode(bundle.entry_line));
      if (hex(entryHash) !== bundle.entry_hash) { throw new Error("记录内容的哈希不符"); }
      var leaf = await sha256(concat(0, entryHash));
      var proof = bundle.inclusion;
      var root = await rootFromPath(proof.index, proof.size, leaf, proof.path);
      if (hex(root) !== proof.root) { throw new Error("算出的根哈希与门户给出的不符"); }
      var lines = bundle.checkpoint.split("\n");
      var rootB64 = btoa(String.fromCharCode.apply(null, root));
      if (lines[1] !== String(proof.size) || lines[2] !== rootB64) { throw new Error("根哈希与签名检查点不符"); }
      out.textContent = "核验通过：此记录是日志第 " + proof.index + " 条，包含在共 " + proof.size + " 条、根哈希 " + rootB64.slice(0, 16) + "… 的日志中。";
      out.className = "ok";
    } catch (err) {
      out.textContent = "核验失败：" + err.message;
      out.className = "bad";
    }
  });
}());
