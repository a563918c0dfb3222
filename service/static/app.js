/* notecheck service page: paste a note, POST /v1/check, render the scribe's view.
 *
 * The view is the one notecheck/render_html.py writes for `notecheck check --format html`, built
 * here with DOM APIs (textContent and setAttribute only; the note text never goes through
 * innerHTML). The highlight algorithm is the same as in render_html.py; keep the two in step
 * (tests/test_browser.py compares their segments on the sample notes):
 *
 * 1. Annotations. Walk result.findings in its key order. A field whose value is a list of
 *    evidence objects (has "start") is one finding, key = field name. A list of objects with
 *    "evidence" gives one finding per object, key = field + value/type + side + "ray<n>" (the parts
 *    that are set, joined by "."; characters outside [A-Za-z0-9_.-] become "_"); an object with
 *    "evidence" is one finding, key = field + value/type when set. A key already taken by an
 *    earlier finding gets "~2", "~3", ... Every finding maps to a checklist item through
 *    FIELD_ITEMS ("context" when the field has none, or the item is not in the result's
 *    checklist). Then every checklist item's evidence that no annotation already covers with the
 *    same start, end and item is added with key "checklist.<item id>". Each (start, end, key) is
 *    kept once; spans with start < 0, end > length or start >= end are dropped. Offsets are code
 *    points (Python str indices), so the text is indexed as Array.from(text), not UTF-16 units.
 * 2. Segments. The boundaries are 0, the length and every annotation start and end, sorted and
 *    unique. Each piece between two neighbouring boundaries that some annotation covers becomes
 *    one <mark> (a flat split, never nested), so every annotation's text is exactly the
 *    concatenation of the marks between its start and end that list its key.
 * 3. A mark carries data-start/data-end (code points), data-items (covering checklist item ids
 *    in checklist order, "context" last) and data-fields (covering keys in annotation order). Its
 *    background is its first item's colour, its bottom border the second item's (or the first's
 *    again): classes c<i>/b<i>, i = the item's checklist index modulo PALETTE_SIZE, "x" for
 *    context.
 */
(function () {
  "use strict";

  var FIELD_ITEMS = {
    implants: "implant_type",
    generic_hardware_removed: "implant_type",
    region: "anatomic_location",
    laterality: "anatomic_location",
    digits: "anatomic_location",
    bones: "anatomic_location",
    indications: "indication",
    approach: "approach",
    planned_status: "planned_status",
    complexity_factors: "modifier_22_support",
    substantial_work: "modifier_22_support",
    anesthesia: "anesthesia",
    hardware_accounted: "hardware_accounted",
    closure: "closure"
  };
  var CONTEXT = "context";
  var CONTEXT_TITLE = "Other findings (context)";
  var PALETTE_SIZE = 10;
  var STATUS_ICON = { met: "\u2714", partial: "\u25d0", missing: "\u2718", not_applicable: "\u2013" };
  var STATUS_TEXT = { met: "met", partial: "partial", missing: "missing", not_applicable: "not applicable" };
  var KEY_STORE = "notecheck.apiKey";

  // ---- the shared algorithm (step 1) ----------------------------------------------------

  function labelPart(obj) {
    var v = obj.value;
    if (v === null || v === undefined) v = obj.type;
    return v === null || v === undefined ? null : String(v);
  }

  function findingLabel(field, obj) {
    var name = field.replace(/_/g, " ");
    if (!obj) return name;
    var bits = [];
    var v = labelPart(obj);
    if (v !== null) bits.push(v.replace(/_/g, " "));
    if (obj.side) bits.push(obj.side + " hand");
    if (obj.ray) bits.push("ray " + obj.ray);
    if (obj.count !== null && obj.count !== undefined) bits.push("count " + obj.count);
    if (obj.conflict) bits.push("conflict");
    return bits.length ? name + ": " + bits.join(", ") : name;
  }

  function findingKey(field, obj) {
    var parts = [field];
    if (obj) {
      var v = labelPart(obj);
      if (v !== null) parts.push(v);
      if (obj.side) parts.push(String(obj.side));
      if (obj.ray) parts.push("ray" + obj.ray);
    }
    return parts.join(".").replace(/[^A-Za-z0-9_.-]/g, "_");
  }

  function isEvidence(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v) && "start" in v;
  }

  function hasEvidenceList(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v) && Array.isArray(v.evidence);
  }

  function findingGroups(findings) {
    var groups = [];
    var used = {};
    function add(field, obj, evidence) {
      var key = findingKey(field, obj);
      used[key] = (used[key] || 0) + 1;
      if (used[key] > 1) key = key + "~" + used[key];
      groups.push({ field: field, key: key, label: findingLabel(field, obj), evidence: evidence });
    }
    Object.keys(findings || {}).forEach(function (field) {
      var value = findings[field];
      if (Array.isArray(value)) {
        if (!value.length) return;
        if (value.every(isEvidence)) { add(field, null, value); return; }
        value.forEach(function (obj) { if (hasEvidenceList(obj)) add(field, obj, obj.evidence); });
      } else if (hasEvidenceList(value) && value.evidence.length) {
        add(field, value, value.evidence);
      }
    });
    return groups;
  }

  function annotations(result, length) {
    var checklist = result.checklist || [];
    var ids = checklist.map(function (c) { return c.id; });
    var out = [];
    var seen = {};
    function put(ev, key, item, label) {
      var start = Number(ev.start), end = Number(ev.end);
      var tag = start + ":" + end + ":" + key;
      if (!(start >= 0) || end > length || start >= end || seen[tag]) return;
      seen[tag] = true;
      out.push({ start: start, end: end, key: key, item: item, label: label, section: String(ev.section || "") });
    }
    findingGroups(result.findings).forEach(function (g) {
      var item = Object.prototype.hasOwnProperty.call(FIELD_ITEMS, g.field) ? FIELD_ITEMS[g.field] : CONTEXT;
      if (ids.indexOf(item) < 0) item = CONTEXT;
      g.evidence.forEach(function (ev) { put(ev, g.key, item, g.label); });
    });
    checklist.forEach(function (c) {
      (c.evidence || []).forEach(function (ev) {
        var s = Number(ev.start), e = Number(ev.end);
        var covered = out.some(function (a) { return a.start === s && a.end === e && a.item === c.id; });
        if (!covered) put(ev, "checklist." + c.id, c.id, "checklist: " + (c.title || c.id));
      });
    });
    return out;
  }

  // ---- the shared algorithm (steps 2-3) -------------------------------------------------

  function unique(list) {
    var out = [];
    list.forEach(function (x) { if (out.indexOf(x) < 0) out.push(x); });
    return out;
  }

  function segments(length, anns, itemOrder) {
    if (!anns.length) return [];
    var rank = {};
    itemOrder.forEach(function (id, i) { rank[id] = i; });
    var bounds = [0, length];
    anns.forEach(function (a) { bounds.push(a.start, a.end); });
    bounds = unique(bounds).sort(function (x, y) { return x - y; });
    var out = [];
    for (var i = 0; i + 1 < bounds.length; i++) {
      var a = bounds[i], b = bounds[i + 1];
      var covering = anns.filter(function (x) { return x.start <= a && x.end >= b; });
      if (!covering.length) continue;
      var items = unique(covering.map(function (x) { return x.item; })).sort(function (x, y) {
        var rx = x in rank ? rank[x] : itemOrder.length, ry = y in rank ? rank[y] : itemOrder.length;
        return rx - ry || (x < y ? -1 : x > y ? 1 : 0);
      });
      out.push({
        start: a,
        end: b,
        items: items,
        fields: unique(covering.map(function (x) { return x.key; })),
        sections: unique(covering.map(function (x) { return x.section; }).filter(Boolean))
      });
    }
    return out;
  }

  function colorIndex(item, itemOrder) {
    var i = itemOrder.indexOf(item);
    return i < 0 ? "x" : String(i % PALETTE_SIZE);
  }

  // ---- DOM building ---------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = String(v);
      else node.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function tipText(seg, titles, statuses, labels) {
    var items = seg.items.map(function (i) {
      var t = titles[i] || CONTEXT_TITLE;
      return i in statuses ? t + " (" + (STATUS_TEXT[statuses[i]] || statuses[i]) + ")" : t;
    }).join(" \u00b7 ");
    var fields = seg.fields.map(function (k) { return labels[k]; }).join(", ");
    var where = seg.sections.length
      ? " [" + seg.sections.map(function (s) { return s.replace(/_/g, " "); }).join(", ") + "]"
      : "";
    return items + " \u2014 " + fields + where;
  }

  function noteNode(text, segs, titles, statuses, labels, order) {
    var cps = Array.from(text);
    var box = el("div", { "class": "nc-note", id: "nc-note", lang: "en" });
    var pos = 0;
    segs.forEach(function (seg, n) {
      if (seg.start > pos) box.appendChild(document.createTextNode(cps.slice(pos, seg.start).join("")));
      var chunk = cps.slice(seg.start, seg.end).join("");
      var first = seg.items[0];
      var second = seg.items.length > 1 ? seg.items[1] : first;
      var tip = tipText(seg, titles, statuses, labels);
      var described = seg.items.filter(function (i) { return i in statuses; })
        .map(function (i) { return "ci-" + i + "-msg"; }).join(" ");
      box.appendChild(el("mark", {
        id: "seg-" + n,
        "class": "c" + colorIndex(first, order) + " b" + colorIndex(second, order),
        tabindex: "0",
        role: "button",
        "data-start": seg.start,
        "data-end": seg.end,
        "data-items": seg.items.join(" "),
        "data-fields": seg.fields.join(" "),
        "data-tip": tip,
        "aria-label": (chunk.trim() || chunk) + ": " + tip,
        "aria-describedby": described || null,
        text: chunk
      }));
      pos = seg.end;
    });
    if (pos < cps.length) box.appendChild(document.createTextNode(cps.slice(pos).join("")));
    return box;
  }

  function statusLine(c) {
    return [
      el("span", { "class": "nc-title", text: c.title }),
      el("span", { "class": "nc-status st-" + c.status, text: STATUS_TEXT[c.status] || c.status })
    ];
  }

  function renderView(result, text, descriptions) {
    descriptions = descriptions || {};
    var checklist = result.checklist || [];
    var order = checklist.map(function (c) { return c.id; });
    var titles = {}, statuses = {};
    checklist.forEach(function (c) { titles[c.id] = c.title; statuses[c.id] = c.status; });
    titles[CONTEXT] = CONTEXT_TITLE;
    var length = Array.from(text).length;
    var anns = annotations(result, length);
    var labels = {};
    anns.forEach(function (a) { labels[a.key] = a.label; });
    var segs = segments(length, anns, order);
    var perItem = {};
    segs.forEach(function (s) { s.items.forEach(function (i) { perItem[i] = (perItem[i] || 0) + 1; }); });

    var ready = !!result.ready_to_sign;
    var proc = result.procedure || {};
    var head = el("header", { "class": "nc-head" }, [
      el("h2", { id: "nc-title", tabindex: "-1", text: result.note_id || "Note" }),
      el("span", {
        "class": "nc-verdict " + (ready ? "ready" : "gaps"), id: "nc-verdict",
        text: (ready ? "Ready to sign" : "Documentation gaps") + " \u00b7 score " + result.score + "/100"
      }),
      el("p", { "class": "nc-reason", text: proc.reason || "" })
    ]);

    var notePanel = el("section", { "class": "nc-panel", "aria-labelledby": "nc-note-h" }, [
      el("h3", { id: "nc-note-h", text: "Note" }),
      el("p", { "class": "nc-keys", id: "nc-keys" }, [
        "Highlights: ", el("kbd", { text: "Tab" }), ", ", el("kbd", { text: "n" }), "/", el("kbd", { text: "p" }),
        " or arrow keys move between them; ", el("kbd", { text: "Enter" }),
        " opens the checklist item. Hover or focus shows the item and the finding. " + segs.length +
        " highlighted passages."
      ]),
      noteNode(text, segs, titles, statuses, labels, order)
    ]);

    var gaps = checklist.filter(function (c) { return c.status === "missing" || c.status === "partial"; });
    var gapsPanel = el("section", { "class": "nc-panel", id: "nc-gaps", "aria-labelledby": "nc-gaps-h" }, [
      el("h3", { id: "nc-gaps-h", text: "What to add (" + gaps.length + ")" }),
      gaps.length
        ? el("ul", { "class": "nc-list" }, gaps.map(function (c) {
          return el("li", { "class": "nc-ci nc-gap", "data-item": c.id }, [
            el("span", { "class": "nc-icon st-" + c.status, "aria-hidden": "true", text: STATUS_ICON[c.status] }),
            el("div", { "class": "nc-body" }, statusLine(c).concat([el("p", { "class": "nc-msg", text: c.message })]))
          ]);
        }))
        : el("p", { "class": "nc-empty", text: "Nothing: every required item is documented." })
    ]);

    var checklistPanel = el("section", { "class": "nc-panel", id: "checklist", "aria-labelledby": "nc-checklist-h" }, [
      el("h3", { id: "nc-checklist-h", text: "Checklist" }),
      el("ul", { "class": "nc-list" }, checklist.map(function (c) {
        var ci = colorIndex(c.id, order);
        var count = perItem[c.id] || 0;
        var body = statusLine(c).concat([el("p", { "class": "nc-msg", id: "ci-" + c.id + "-msg", text: c.message })]);
        if (descriptions[c.id]) body.push(el("p", { "class": "nc-desc", text: descriptions[c.id] }));
        if (count) {
          body.push(el("button", {
            type: "button", "class": "nc-show", "data-item": c.id,
            "aria-label": "Show " + c.title + " in the note, " + count + " highlighted",
            text: "Show in note (" + count + ")"
          }));
        }
        return el("li", { "class": "nc-ci", id: "ci-" + c.id, tabindex: "-1", "data-item": c.id, "data-status": c.status }, [
          el("span", { "class": "nc-swatch c" + ci + " b" + ci, "aria-hidden": "true" }),
          el("span", { "class": "nc-icon st-" + c.status, "aria-hidden": "true", text: STATUS_ICON[c.status] }),
          el("div", { "class": "nc-body" }, body)
        ]);
      }))
    ]);

    var coding = [
      el("h3", { id: "nc-coding-h", text: "Code" }),
      el("p", { "class": "nc-code", id: "nc-cpt" }, [
        (proc.suggested_cpt || "None") + " ", el("small", { text: "units " + (proc.units || 0) })
      ])
    ];
    if (!proc.suggested_cpt) coding.push(el("p", { "class": "nc-empty", text: "No separately reportable implant removal." }));
    if (proc.flags && proc.flags.length) coding.push(el("p", { text: "Also consider: " + proc.flags.join(", ") }));
    var lines = result.claim_lines || [];
    if (lines.length) {
      coding.push(el("table", { "class": "nc-table", id: "nc-lines" }, [
        el("caption", { "class": "nc-sr", text: "Claim lines" }),
        el("thead", {}, [el("tr", {}, ["CPT", "Units", "Modifiers", "Site"].map(function (h) {
          return el("th", { scope: "col", text: h });
        }))]),
        el("tbody", {}, lines.map(function (l) {
          return el("tr", {}, [
            el("td", { text: l.cpt }), el("td", { text: l.units }),
            el("td", { text: (l.modifiers || []).join(" ") || "\u2014" }), el("td", { text: l.site })
          ]);
        }))
      ]));
    }
    var mods = result.modifiers || [];
    if (mods.length) {
      coding.push(el("h4", { text: "Modifiers" }));
      var dl = el("dl", { "class": "nc-dl", id: "nc-modifiers" });
      mods.forEach(function (m) { dl.appendChild(el("dt", { text: m.code })); dl.appendChild(el("dd", { text: m.reason })); });
      coding.push(dl);
    }
    var icds = result.icd10_suggestions || [];
    if (icds.length) {
      coding.push(el("h4", { text: "ICD-10" }));
      var dl2 = el("dl", { "class": "nc-dl", id: "nc-icd10" });
      icds.forEach(function (d) {
        dl2.appendChild(el("dt", { text: d.code }));
        dl2.appendChild(el("dd", { text: d.description + ". " + d.reason }));
      });
      coding.push(dl2);
    }
    var side = [gapsPanel, checklistPanel, el("section", { "class": "nc-panel", id: "nc-coding", "aria-labelledby": "nc-coding-h" }, coding)];

    var risks = result.denial_risks || [];
    if (risks.length) {
      side.push(el("section", { "class": "nc-panel", id: "nc-risks", "aria-labelledby": "nc-risks-h" }, [
        el("h3", { id: "nc-risks-h", text: "Denial risks (" + risks.length + ")" }),
        el("ul", { "class": "nc-list" }, risks.map(function (r) {
          return el("li", { "class": "nc-risk", "data-risk": r.id }, [
            el("span", { "class": "nc-sev sev-" + r.severity, text: r.severity }),
            el("strong", { text: r.id.replace(/_/g, " ") }), ": " + r.message
          ]);
        }))
      ]));
    }

    var queries = result.queries || [];
    if (queries.length) {
      // Draft questions a scribe or CDI specialist can send to the surgeon, one per gap.
      side.push(el("section", { "class": "nc-panel", id: "nc-queries", "aria-labelledby": "nc-queries-h" }, [
        el("h3", { id: "nc-queries-h", text: "Questions for the surgeon (" + queries.length + ")" }),
        el("ul", { "class": "nc-list" }, queries.map(function (q) {
          var children = [q.question];
          if ((q.options || []).length) {
            children.push(el("ul", { "class": "nc-options" }, q.options.map(function (o) { return el("li", { text: o }); })));
          }
          return el("li", { "class": "nc-query", "data-gap": q.gap }, children);
        }))
      ]));
    }

    var legend = checklist.map(function (c) {
      var ci = colorIndex(c.id, order);
      return el("li", {}, [el("span", { "class": "nc-swatch c" + ci + " b" + ci, "aria-hidden": "true" }), c.title]);
    });
    legend.push(el("li", {}, [el("span", { "class": "nc-swatch cx bx", "aria-hidden": "true" }), CONTEXT_TITLE]));
    side.push(el("section", { "class": "nc-panel", id: "nc-legend", "aria-labelledby": "nc-legend-h" }, [
      el("h3", { id: "nc-legend-h", text: "Legend" }),
      el("ul", { "class": "nc-legend" }, legend),
      el("p", {
        "class": "nc-desc",
        text: "A passage that supports two items has the first item's background and the second item's " +
          "underline. Status: \u2714 met, \u25d0 partial, \u2718 missing, \u2013 not applicable."
      })
    ]));

    return el("div", { "class": "nc-view" }, [
      head,
      el("div", { "class": "nc-grid" }, [notePanel, el("div", { "class": "nc-side" }, side)])
    ]);
  }

  // ---- keyboard navigation and checklist links (as in render_html.py) ------------------

  function marks() {
    return Array.prototype.slice.call(document.querySelectorAll(".nc-note mark"));
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

  var cursor = {};

  function installNavigation() {
    document.addEventListener("click", function (e) {
      var b = e.target.closest ? e.target.closest(".nc-show") : null;
      if (!b) return;
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
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (t && t.isContentEditable)) return;
      var i = marks().indexOf(document.activeElement);
      var onMark = i >= 0;
      var k = e.key;
      if (k === "n" || k === "j" || (onMark && (k === "ArrowRight" || k === "ArrowDown"))) { e.preventDefault(); go(onMark ? i + 1 : 0); }
      else if (k === "p" || k === "k" || (onMark && (k === "ArrowLeft" || k === "ArrowUp"))) { e.preventDefault(); go(onMark ? i - 1 : -1); }
      else if (onMark && k === "Home") { e.preventDefault(); go(0); }
      else if (onMark && k === "End") { e.preventDefault(); go(-1); }
    });
  }

  // ---- the form and the API ----------------------------------------------------------

  var descriptionsCache = null;

  function authHeaders(key) {
    var h = { "Accept": "application/json" };
    if (key) h["Authorization"] = "Bearer " + key;
    return h;
  }

  function parseDescriptions(body) {
    var items = body;
    if (body && !Array.isArray(body)) items = body.items || body.checklist || [];
    var out = {};
    if (Array.isArray(items)) {
      items.forEach(function (it) { if (it && it.id && it.description) out[it.id] = String(it.description); });
    } else if (items && typeof items === "object") {
      Object.keys(items).forEach(function (id) {
        var it = items[id];
        if (it && it.description) out[id] = String(it.description);
      });
    }
    return out;
  }

  function loadDescriptions(key) {
    if (descriptionsCache) return Promise.resolve(descriptionsCache);
    return fetch("/v1/checklist", { headers: authHeaders(key) })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) {
        if (body) descriptionsCache = parseDescriptions(body);
        return descriptionsCache || {};
      })
      .catch(function () { return {}; });
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

  function summary(result) {
    var gaps = (result.checklist || []).filter(function (c) { return c.status === "missing" || c.status === "partial"; });
    var cpt = result.procedure && result.procedure.suggested_cpt;
    return (result.ready_to_sign ? "Ready to sign" : "Documentation gaps") + ", score " + result.score + "/100; " +
      gaps.length + " item" + (gaps.length === 1 ? "" : "s") + " to add; code " + (cpt || "none") +
      ((result.denial_risks || []).length ? "; " + result.denial_risks.length + " denial risk(s)" : "") + ".";
  }

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
    var headers = authHeaders(key);
    headers["Content-Type"] = "application/json";
    var button = document.getElementById("check-button");
    busy = true;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    setStatus("Checking\u2026", "busy");
    fetch("/v1/check", { method: "POST", headers: headers, body: JSON.stringify(requestBody(text)) })
      .then(function (res) {
        return res.text().then(function (raw) {
          var body = null;
          try { body = raw ? JSON.parse(raw) : null; } catch (err) { body = null; }
          if (!res.ok) throw new Error(errorText(res.status, body));
          if (!body || !body.checklist) throw new Error("The service returned no result.");
          return body;
        });
      })
      .then(function (result) {
        return loadDescriptions(key).then(function (descriptions) {
          var target = document.getElementById("result");
          target.replaceChildren(renderView(result, text, descriptions));
          cursor = {};
          setStatus(summary(result), result.ready_to_sign ? "ok" : "gaps");
        });
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
      keyInput.addEventListener(type, function () { descriptionsCache = null; rememberKey(keyInput.value.trim()); });
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); check(); });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); check(); }
    });
  }

  window.NotecheckView = {
    FIELD_ITEMS: FIELD_ITEMS,
    annotations: annotations,
    segments: segments,
    renderView: renderView,
    colorIndex: colorIndex
  };

  function start() {
    installNavigation();
    installForm();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
