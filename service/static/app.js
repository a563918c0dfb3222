/* notecheck service page: post the note to POST /v1/check?format=html and show the view the
 * engine renders (notecheck/render_html.py, the same view `notecheck check --format html`
 * writes). This script draws nothing itself: no highlighting, no checklist, no field mapping.
 *
 * The fragment is parsed with DOMParser into an inert document (no script runs, nothing loads)
 * and inserted only when every element and attribute in it is one the view uses (VIEW_TAGS,
 * viewAttribute); anything else means the answer is not the engine's view, and the page shows
 * an error instead. The server escapes every character of the note; this check is the second
 * lock. Keyboard navigation and checklist links are notecheck/static/view.js, shared with the
 * standalone page.
 */
(function () {
  "use strict";

  var KEY_STORE = "notecheck.apiKey";
  var XHTML = document.documentElement.namespaceURI; // the HTML namespace, as this page is HTML
  // Every element render_view writes (tests/test_render_html.py checks the list against it).
  var VIEW_TAGS = [
    "button", "caption", "dd", "div", "dl", "dt", "h2", "h3", "h4", "header", "kbd", "li", "mark",
    "p", "section", "small", "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul"
  ];
  var VIEW_ATTRIBUTES = ["class", "id", "lang", "role", "scope", "tabindex", "type"];

  function viewAttribute(name) {
    return VIEW_ATTRIBUTES.indexOf(name) >= 0 || /^(data|aria)-[a-z-]+$/.test(name);
  }

  // The view in `markup`, adopted into this document, or null when it is not only the view.
  function viewFrom(markup) {
    var doc = new DOMParser().parseFromString(markup, "text/html");
    if (doc.head.childNodes.length || doc.body.children.length !== 1) return null;
    var root = doc.body.firstElementChild;
    if (!root.classList.contains("nc-view")) return null;
    var nodes = [root].concat(Array.prototype.slice.call(root.querySelectorAll("*")));
    var clean = nodes.every(function (node) {
      if (node.namespaceURI !== XHTML || VIEW_TAGS.indexOf(node.localName) < 0) return false;
      return Array.prototype.every.call(node.attributes, function (a) { return viewAttribute(a.name); });
    });
    return clean ? document.adoptNode(root) : null;
  }

  function requestHeaders(key) {
    var h = { "Accept": "text/html", "Content-Type": "application/json" };
    if (key) h["Authorization"] = "Bearer " + key;
    return h;
  }

  function errorText(status, body) {
    var detail = body && body.detail;
    if (Array.isArray(detail)) {
      detail = detail.map(function (d) {
        var loc = Array.isArray(d.loc) ? d.loc.filter(function (x) { return x !== "body"; }).join(".") : "";
        return (loc ? loc + ": " : "") + (d.msg || JSON.stringify(d));
      }).join("; ");
    } else if (detail && typeof detail === "object") {
      detail = JSON.stringify(detail);
    }
    if (status === 401) return "The service needs a valid API key" + (detail ? " (" + detail + ")" : "") + ".";
    if (status === 413) return "The note is too large for the service" + (detail ? ": " + detail : "") + ".";
    return "The check failed (HTTP " + status + ")" + (detail ? ": " + detail : "") + ".";
  }

  function value(id) {
    var node = document.getElementById(id);
    return node ? node.value.trim() : "";
  }

  function requestBody(text) {
    var body = { text: text };
    var strings = {
      note_id: "note-id", removal_date: "removal-date", index_surgery_date: "index-date",
      index_cpt: "index-cpt", billed_cpt: "billed-cpt", billed_modifiers: "billed-modifiers"
    };
    Object.keys(strings).forEach(function (k) { var v = value(strings[k]); if (v) body[k] = v; });
    var related = value("index-related");
    if (related) body.index_related = related === "true";
    var units = value("billed-units");
    if (units !== "" && /^\d+$/.test(units)) body.billed_units = parseInt(units, 10);
    return body;
  }

  function setStatus(message, kind) {
    var s = document.getElementById("app-status");
    s.textContent = message;
    s.className = "app-status" + (kind ? " app-" + kind : "");
  }

  // One line for the live region, from the summary the view carries on its root.
  function summary(view) {
    var d = view.dataset;
    var gaps = Number(d.gaps) || 0;
    var risks = Number(d.risks) || 0;
    return (d.ready === "true" ? "Ready to sign" : "Documentation gaps") + ", score " + d.score + "/100; " +
      gaps + " item" + (gaps === 1 ? "" : "s") + " to add; code " + (d.cpt || "none") +
      (risks ? "; " + risks + " denial risk(s)" : "") + ".";
  }

  // One check at a time: the button is disabled and further submits are ignored until the
  // answer (or the error) is in, so a slow answer is never overwritten by an older one.
  var busy = false;

  function check() {
    if (busy) return;
    var text = document.getElementById("note-input").value;
    if (!text.trim()) {
      setStatus("Paste a note first.", "error");
      document.getElementById("note-input").focus();
      return;
    }
    var key = value("api-key");
    rememberKey(key);
    var button = document.getElementById("check-button");
    busy = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    setStatus("Checking\u2026", "busy");
    fetch("/v1/check?format=html", { method: "POST", headers: requestHeaders(key), body: JSON.stringify(requestBody(text)) })
      .then(function (res) {
        return res.text().then(function (raw) {
          if (!res.ok) {
            var body = null;
            try { body = raw ? JSON.parse(raw) : null; } catch (err) { body = null; }
            throw new Error(errorText(res.status, body));
          }
          var type = (res.headers.get("Content-Type") || "").toLowerCase();
          var view = type.indexOf("text/html") === 0 ? viewFrom(raw) : null;
          if (!view) throw new Error("The service returned no view of the note.");
          return view;
        });
      })
      .then(function (view) {
        document.getElementById("result").replaceChildren(view);
        setStatus(summary(view), view.dataset.ready === "true" ? "ok" : "gaps");
      })
      .catch(function (err) {
        setStatus(err && err.message ? err.message : "The service could not be reached.", "error");
      })
      .then(function () {
        busy = false;
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
  }

  function rememberKey(key) {
    try {
      if (key) sessionStorage.setItem(KEY_STORE, key); else sessionStorage.removeItem(KEY_STORE);
    } catch (err) { /* storage disabled: the key is still used for this page's requests */ }
  }

  function installForm() {
    var form = document.getElementById("check-form");
    if (!form) return;
    try {
      var stored = sessionStorage.getItem(KEY_STORE);
      if (stored) document.getElementById("api-key").value = stored;
    } catch (err) { /* storage disabled */ }
    var keyInput = document.getElementById("api-key");
    ["input", "change"].forEach(function (type) {
      keyInput.addEventListener(type, function () { rememberKey(keyInput.value.trim()); });
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); check(); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); check(); }
    });
    form.setAttribute("data-ready", "true");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", installForm);
  else installForm();
})();
