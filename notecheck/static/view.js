/* The scribe view's behaviour, the only copy: keyboard navigation between highlights and links
 * between highlights and checklist items. `notecheck check --format html` inlines it (its CSP
 * carries the hash); the service page loads it from /static/view/view.js. It listens on the
 * document, so it also serves a view the service page inserts after load, and it only reads the
 * view's attributes: it never writes markup. */
(function () {
  "use strict";

  function marks() {
    return Array.prototype.slice.call(document.querySelectorAll(".nc-view .nc-note mark"));
  }

  function go(i) {
    var m = marks();
    if (!m.length) return;
    i = ((i % m.length) + m.length) % m.length;
    m[i].focus();
    m[i].scrollIntoView({ block: "nearest" });
  }

  function toItem(mark) {
    var id = (mark.getAttribute("data-items") || "").split(" ")[0];
    var li = document.getElementById("ci-" + id);
    if (!li) return;
    li.classList.add("nc-flash");
    li.focus();
    setTimeout(function () { li.classList.remove("nc-flash"); }, 1200);
  }

  // "Show in note" walks an item's highlights; the walk starts over when a new view replaces
  // the old one.
  var cursor = {};
  var cursorView = null;

  document.addEventListener("click", function (e) {
    var b = e.target && e.target.closest ? e.target.closest(".nc-view .nc-show") : null;
    if (!b) return;
    var view = b.closest(".nc-view");
    if (view !== cursorView) { cursor = {}; cursorView = view; }
    var item = b.getAttribute("data-item");
    var list = marks().filter(function (m) {
      return (" " + m.getAttribute("data-items") + " ").indexOf(" " + item + " ") >= 0;
    });
    if (!list.length) return;
    var i = (cursor[item] === undefined ? 0 : cursor[item] + 1) % list.length;
    cursor[item] = i;
    list[i].focus();
    list[i].scrollIntoView({ block: "center" });
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var tag = t && t.tagName;
    if (tag === "MARK" && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); toItem(t); return; }
    // Typing in a form field (the service page's note) is never navigation.
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
    var i = marks().indexOf(document.activeElement);
    var onMark = i >= 0;
    var k = e.key;
    if (k === "n" || k === "j" || (onMark && (k === "ArrowRight" || k === "ArrowDown"))) { e.preventDefault(); go(onMark ? i + 1 : 0); }
    else if (k === "p" || k === "k" || (onMark && (k === "ArrowLeft" || k === "ArrowUp"))) { e.preventDefault(); go(onMark ? i - 1 : -1); }
    else if (onMark && k === "Home") { e.preventDefault(); go(0); }
    else if (onMark && k === "End") { e.preventDefault(); go(-1); }
  });
})();
