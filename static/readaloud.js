// 朗读: a button after a record's one-line summary that reads the page aloud with the phone's own
// speech synthesis, in the order a screen reader takes it: the summary, then the amounts and
// facts (the region marked data-read="facts"), then the newest change of its history. Without
// JavaScript, or on a browser without speechSynthesis, there is no button (the page is the same).
(function () {
  "use strict";
  var summary = document.getElementById("summary");
  if (!summary || !("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) { return; }
  var say = window.speechSynthesis;
  var lang = document.documentElement.lang || "zh-CN";

  function text(el) { return el ? el.innerText.replace(/\s+/g, " ").trim() : ""; }
  function parts() {
    var out = [text(summary)];
    document.querySelectorAll("[data-read]").forEach(function (el) { out.push(text(el)); });
    return out.filter(function (t) { return t; });
  }

  var button = document.createElement("button");
  button.type = "button";
  button.className = "read-aloud";
  button.textContent = summary.dataset.readLabel;
  button.setAttribute("aria-pressed", "false");
  summary.insertAdjacentElement("afterend", button);

  function stopped() { button.textContent = summary.dataset.readLabel; button.setAttribute("aria-pressed", "false"); }
  button.addEventListener("click", function () {
    if (say.speaking) { say.cancel(); stopped(); return; }
    var list = parts();
    list.forEach(function (t, i) {
      var u = new SpeechSynthesisUtterance(t);
      u.lang = lang;
      u.rate = 0.9;  // a little slower than the default: read to older listeners
      if (i === list.length - 1) { u.onend = stopped; }
      say.speak(u);
    });
    button.textContent = summary.dataset.stopLabel;
    button.setAttribute("aria-pressed", "true");
  });
})();
