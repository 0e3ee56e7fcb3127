// The phone's own check (DESIGN.md, "Who is trusted for what"): the server is not trusted.
// 1. "核验此记录": the checkpoint's Ed25519 signature against the village key printed on paper
//    (its fingerprint is on the page), the entry's inclusion proof (RFC 9162 §2.1.3.2), and every
//    value the page marks with data-field compared with the logged entry; each difference named.
// 2. Every phone a witness: the last checkpoint verified per village is kept in localStorage;
//    the next visit verifies a consistency proof (RFC 9162 §2.1.4.2) from it to today's, and a
//    rewritten log (a fork) raises an alarm saying what to report and to whom.
// Optional: every page states its proof without JavaScript.
(function () {
  "use strict";
  if (!window.crypto || !crypto.subtle || !window.fetch || !window.TextEncoder) { return; }
  var box = document.getElementById("browser-verify");
  var witnessBox = box || document.getElementById("log-witness");
  if (!witnessBox) { return; }
  var L = window.SanziLog;
  if (!L) { return; }
  var hex = L.hex, unhex = L.unhex, b64 = L.b64, utf8 = L.utf8, join = L.join, sha256 = L.sha256;
  var STORE = "sanzi-witness/";

  // -- keys and signed notes (C2SP signed-note) ----------------------------------------------
  // The portal's key, with the fingerprint paper prints (first 8 bytes of SHA-256 of type ‖ key).
  async function parseKey(text) {
    var key = await L.parseKey(text, 1, "公钥");
    key.fingerprint = hex((await sha256(join([1], key.key))).slice(0, 8)).toUpperCase().match(/.{4}/g).join(" ");
    return key;
  }
  function ed25519(pub, sig, message) { return L.verify(witnessBox.dataset.ed25519, pub, sig, message); }

  // The checkpoint in `note` as signed by `key`; throws, in plain words, unless that key signed it.
  async function openNote(note, key) {
    var parsed = L.splitNote(note);
    var mine = L.signedBy(parsed, key);
    if (!mine.length) { throw new Error("检查点上没有本村门户公钥（指纹 " + key.fingerprint + "）的签名，它是用别的钥匙签的或没有签名"); }
    if (mine[0].sig.length !== 64 || !(await ed25519(key.key, mine[0].sig, utf8(parsed.text)))) {
      throw new Error("检查点的签名不对：检查点被改动过，或者签名是伪造的");
    }
    if (!parsed.origin.endsWith("/v/" + witnessBox.dataset.log)) { throw new Error("这个检查点不是本村的日志"); }
    parsed.cosigners = parsed.sigs.filter(function (s) { return s !== mine[0]; });
    return parsed;
  }

  // The committee cosignatures on the checkpoint (C2SP tlog-cosignature v1), each checked
  // against the village's registered committee keys; lines by unknown keys are only counted.
  async function committeeCosigned(cp, keys) {
    var out = { passed: [], problems: [], unknown: 0 }, known = [];
    for (var i = 0; i < keys.length; i++) {
      try { known.push(Object.assign(await L.parseKey(keys[i].key || "", 4, "公钥"), { info: keys[i] })); } catch (e) { /* not a witness key */ }
    }
    for (var j = 0; j < (cp.cosigners || []).length; j++) {
      var s = cp.cosigners[j], k = L.signedBy({ sigs: known }, s)[0];
      if (!k) { out.unknown += 1; continue; }
      if (await L.cosignatureHolds(witnessBox.dataset.ed25519, cp, s, k.key)) {
        var when = new Date(L.timeOf(s.sig) * 1000), day = when.getFullYear() + "年" + (when.getMonth() + 1) + "月" + when.getDate() + "日";
        out.passed.push("监委会联署：" + (k.info.role || "监委会成员") + "（公钥 " + k.info.number + "，指纹 " + k.info.fingerprint + "）于 " + day + " 联署，签名核验通过");
      } else {
        out.problems.push("监委会联署签名不对（公钥 " + k.info.number + "）：联署是伪造的，或检查点被改动过");
      }
    }
    return out;
  }

  async function pageKey() {
    var key = await parseKey(witnessBox.dataset.key);
    // What the page prints is what the reader compares with paper, so the key must match it.
    if (key.fingerprint !== witnessBox.dataset.fingerprint) { throw new Error("本页公钥的指纹与页面上印的不符"); }
    return key;
  }

  // -- the page's values against the logged entry --------------------------------------------
  var english = document.documentElement.lang === "en";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  function grouped(whole) { return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function decimal(value, places, maxPlaces) {
    var m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
    if (!m) { return String(value); }
    var frac = (m[3] || "").replace(/0+$/, "");
    if (frac.length > maxPlaces) { return String(value); }
    return m[1] + grouped(m[2]) + "." + frac.padEnd(places, "0");
  }
  var FORMATS = {
    text: function (v) { return String(v); },
    money: function (v) { var s = decimal(v, 2, 2); return s.charAt(0) === "-" ? "-¥" + s.slice(1) : "¥" + s; },
    rate: function (v) { return decimal(v, 2, 2); },  // a rent rate: its unit follows, no ¥
    area: function (v, el) { return decimal(v, 2, 4) + (el.dataset.suffix || ""); },  // suffix: " 亩"
    date: function (v) {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v || "");
      if (!m) { return String(v); }
      return english ? Number(m[3]) + " " + MONTHS[m[2] - 1] + " " + m[1] : m[1] + "年" + Number(m[2]) + "月" + Number(m[3]) + "日";
    },
    word: function (v, el) { var words = JSON.parse(el.dataset.words || "{}"); return words[v] || String(v); }
  };
  function lookup(data, path) {
    return path.split(".").reduce(function (at, k) { return at && typeof at === "object" ? at[k] : undefined; }, data);
  }
  function compareFields(data) {
    var problems = [], checked = [];
    document.querySelectorAll("main [data-field]").forEach(function (el) {
      var label = el.dataset.label || el.dataset.field, value = lookup(data, el.dataset.field);
      var shown = el.textContent.trim();
      if (value === undefined || value === null) { problems.push(label + "：本页显示“" + shown + "”，日志里却没有这一项"); return; }
      var logged = (FORMATS[el.dataset.format] || FORMATS.text)(value, el);
      if (logged !== shown) { problems.push(label + "：本页显示“" + shown + "”，日志记录的是“" + logged + "”"); } else { checked.push(label); }
    });
    return { problems: problems, checked: checked };
  }

  // -- every phone a witness -----------------------------------------------------------------
  function remembered() { try { return JSON.parse(localStorage.getItem(STORE + witnessBox.dataset.log) || "null"); } catch (e) { return null; } }
  function remember(cp, note) {
    try { localStorage.setItem(STORE + witnessBox.dataset.log, JSON.stringify({ size: cp.size, root: cp.root, note: note, seen: new Date().toISOString().slice(0, 10) })); } catch (e) { /* private mode: nothing kept */ }
  }
  function alarm(old, cp, note, why) {
    if (document.getElementById("fork-alarm")) { return; }
    var s = document.createElement("section");
    s.id = "fork-alarm"; s.className = "fork-alarm"; s.setAttribute("role", "alert");
    var h = document.createElement("h2"); h.textContent = "警告：本村的审计日志被改写过";
    var p1 = document.createElement("p");
    p1.textContent = "这部手机在 " + old.seen + " 核验过本村的审计日志：共 " + old.size + " 条，根哈希简记 " + old.root.slice(0, 8) +
      "。今天网站给出的日志共 " + cp.size + " 条，根哈希简记 " + cp.root.slice(0, 8) + "，" + why +
      "。日志只能追加，已经公开的记录被人改动过。";
    var p2 = document.createElement("p"); p2.className = "report";
    p2.textContent = "请截屏保存本页，向村务监督委员会报告，并向镇纪委反映。手机里保存着两份都有门户签名、却互相矛盾的检查点，就是证据（见下方）。请不要清除浏览器数据。";
    var pre = document.createElement("pre"); pre.textContent = old.note + "\n" + note;
    s.append(h, p1, p2, pre);
    var main = document.querySelector("main");
    main.insertBefore(s, main.firstChild);
  }
  // Checks a verified checkpoint against the one this phone saw last; keeps it if consistent.
  async function witness(cp, note) {
    var old = remembered();
    if (old && old.size === cp.size && old.root === cp.root) { return true; }
    if (old) {
      var why = null;
      if (cp.size < old.size) { why = "比那时还少"; } else if (cp.size === old.size) { why = "条数相同，内容却不同"; } else {
        if (!(await L.extends(witnessBox.dataset.consistency, old, cp))) { why = "不包含那时的日志（一致性证明不成立）"; }
      }
      if (why) { alarm(old, cp, note, why); return false; }
    }
    remember(cp, note);
    return true;
  }
  async function witnessToday() {
    var key = await pageKey();
    var note = await (await fetch(witnessBox.dataset.checkpoint, { cache: "no-store" })).text();
    var cp = await openNote(note, key);
    witnessBox.dataset.witnessed = await witness(cp, note) ? "ok" : "fork";
  }

  // -- 核验此记录 --------------------------------------------------------------------------------
  // <output> holds phrasing content only: one block-styled <span> per line.
  function show(out, ok, title, lines) {
    out.textContent = "";
    out.className = ok ? "ok" : "bad";
    [title].concat(lines.map(function (t) { return "· " + t; })).forEach(function (t) {
      var line = document.createElement("span"); line.textContent = t; out.appendChild(line);
    });
  }
  async function checkRecord() {
    var problems = [], passed = [], key = await pageKey();
    var bundle = await (await fetch(box.dataset.bundle, { cache: "no-store" })).json();
    var cp = null;
    try {
      cp = await openNote(bundle.checkpoint, key);
      passed.push("检查点由本村门户公钥签名（指纹 " + key.fingerprint + "，请与公告栏上印的对照）");
    } catch (err) { problems.push(err.message); cp = L.splitNote(bundle.checkpoint); }
    var entryHash = await sha256(utf8(bundle.entry_line));
    var proof = bundle.inclusion || {};
    try {
      var root = await L.rootFromInclusion(proof.index, cp.size, await sha256(join([0], entryHash)), (proof.path || []).map(unhex));
      if (b64(root) !== cp.root) { throw new Error("按包含证明算出的根哈希 " + b64(root).slice(0, 8) + " 与检查点的 " + cp.root.slice(0, 8) + " 不符"); }
      passed.push("此记录是日志第 " + proof.index + " 条，包含在共 " + cp.size + " 条、根哈希为 " + cp.root + " 的日志中");
    } catch (err) { problems.push("包含证明不成立：" + err.message); }
    var entry = JSON.parse(bundle.entry_line);
    if (entry.log !== witnessBox.dataset.log) { problems.push("证明包里的记录不是本村日志的"); }
    if (String(entry.seq) !== box.dataset.seq) { problems.push("本页说此记录是日志第 " + box.dataset.seq + " 条，证明包给的是第 " + entry.seq + " 条"); }
    var fields = compareFields(entry.data || {});
    problems = problems.concat(fields.problems);
    if (fields.checked.length) { passed.push("本页显示的 " + fields.checked.length + " 项与日志记录一致：" + fields.checked.join("、")); }
    var cosigned = await committeeCosigned(cp, bundle.committee_keys || []);
    problems = problems.concat(cosigned.problems);
    passed = passed.concat(cosigned.passed.length ? cosigned.passed : ["此检查点尚无监委会联署"]);
    if (cosigned.unknown) { passed.push("另有 " + cosigned.unknown + " 个未登记钥匙的签名，未核验，不算联署"); }
    if (!problems.length && !(await witness(cp, bundle.checkpoint))) { problems.push("此检查点与这部手机以前核验过的日志矛盾（见页首警告）"); }
    return { problems: problems, passed: passed };
  }

  if (box) {
    box.hidden = false;
    var out = box.querySelector("output");
    box.querySelector("button").addEventListener("click", async function () {
      out.className = ""; out.textContent = "正在核验…";
      try {
        var result = await checkRecord();
        if (result.problems.length) { show(out, false, "核验失败：以下几处对不上", result.problems); } else { show(out, true, "核验通过", result.passed); }
      } catch (err) { show(out, false, "核验失败：", [err.message]); }
    });
  }
  witnessToday().catch(function (err) {
    witnessBox.dataset.witnessed = "error";
    var note = witnessBox.querySelector("output");
    if (note && !box) { witnessBox.hidden = false; note.className = "bad"; note.textContent = "无法核验今天的检查点：" + err.message; }
  });
}());
