/* dossier default theme: progressive enhancement only.
 * Without this file every page still works: tables are plain tables,
 * and the search box (which needs it) stays hidden.
 *  1. Tables marked data-sortable get sort buttons in their headers and a filter box;
 *     a number in the text opens its evidence from the page's own figure table.
 *  2. The search box loads search-index.json and MiniSearch the first time it is used.
 */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var collator = new Intl.Collator(root.lang || undefined, { numeric: true, sensitivity: "base" });
  var tableCount = 0;

  function el(tag, attrs, children) {
    var node = doc.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function normalise(s) {
    return (s || "").toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ");
  }

  /* ---------- 1. Sortable, filterable tables ---------- */

  // A group's heading rows (its name, its running totals) stay on top; a repeat row
  // belongs to the figure row above it and moves, shows and hides with it.
  function isGroupRow(tr) {
    return tr.classList.contains("group-row") || tr.classList.contains("series-row");
  }

  function isAttached(tr) { return tr.classList.contains("repeat-row"); }

  function dataRows(tbody) {
    return Array.prototype.filter.call(tbody.rows, function (tr) {
      return !isGroupRow(tr) && !isAttached(tr);
    });
  }

  function attachedTo(tr) {
    var out = [];
    for (var n = tr.nextElementSibling; n && isAttached(n); n = n.nextElementSibling) out.push(n);
    return out;
  }

  function sortValue(cell) {
    if (!cell) return "";
    var v = cell.getAttribute("data-sort");
    return (v !== null ? v : cell.textContent).trim();
  }

  function isNumeric(s) {
    return s !== "" && isFinite(Number(s));
  }

  // The words a row is filtered by: its text, its dates as written in datetime (2022-10-04),
  // and what its data-filter adds (a source's short name: "AP"). Numbers lose their
  // thousands separators, so "98000" finds "98,000".
  function words(s) {
    return " " + normalise(s).replace(/(\d)[,\u202f\u00a0](?=\d{3}\b)/g, "$1")
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim() + " ";
  }

  function rowWords(tr) {
    var parts = [tr.textContent, tr.getAttribute("data-filter") || ""];
    Array.prototype.forEach.call(tr.querySelectorAll("time[datetime]"), function (t) {
      parts.push(t.getAttribute("datetime"));
    });
    return parts.join(" ");
  }

  function enhanceTable(table) {
    var head = table.tHead;
    if (!head || !head.rows.length) return;
    tableCount += 1;
    if (!table.id) table.id = "sortable-" + tableCount;
    var headers = Array.prototype.slice.call(head.rows[head.rows.length - 1].cells);
    var bodies = Array.prototype.slice.call(table.tBodies);
    var grouped = bodies.length > 1;

    // Every figure row, in the author's order, with its home group and its repeats: sorting
    // is stable (ties keep that order) and can be undone.
    var rows = [];
    bodies.forEach(function (tb) {
      dataRows(tb).forEach(function (tr) {
        rows.push({ tr: tr, home: tb, with: attachedTo(tr), order: rows.length });
      });
    });

    // A grouped table sorts as one list: the groups give way to one body, the place and
    // measure columns show, and a button puts the groups back.
    var flat = null;
    var regroup = null;
    if (grouped) {
      flat = el("tbody", { "class": "figure-group flat-body" });
      flat.hidden = true;
      table.appendChild(flat);
      regroup = el("button", { type: "button", "class": "table-regroup", text: "Group by place and measure again" });
      regroup.hidden = true;
      regroup.addEventListener("click", function () {
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        rows.forEach(function (r) {
          r.home.appendChild(r.tr);
          r.with.forEach(function (a) { r.home.appendChild(a); });
        });
        bodies.forEach(function (tb) { tb.hidden = false; });
        flat.hidden = true;
        table.classList.remove("flat");
        regroup.hidden = true;
        if (table._dossierApply) table._dossierApply();
        announce(table, "Grouped by place and measure");
      });
    }

    headers.forEach(function (th, col) {
      var label = th.textContent.trim();
      var button = el("button", { type: "button", "class": "sort-button" });
      while (th.firstChild) button.appendChild(th.firstChild);
      button.appendChild(el("span", { "class": "sort-icon", "aria-hidden": "true" }));
      button.appendChild(el("span", { "class": "visually-hidden", text: ", sort" }));
      th.appendChild(button);
      button.addEventListener("click", function () {
        var next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", next);
        sortBy(col, next === "ascending" ? 1 : -1);
        announce(table, "Sorted by " + label + ", " + next + (grouped ? ", all figures in one list" : ""));
      });
    });

    function sortBy(col, dir) {
      var values = rows.map(function (r) { return sortValue(r.tr.cells[col]); });
      var numeric = values.every(function (v) { return v === "" || isNumeric(v); });
      var keyed = rows.map(function (r, i) { return { r: r, v: values[i] }; });
      keyed.sort(function (a, b) {
        // Empty cells go last whatever the direction.
        if (a.v === "" && b.v !== "") return 1;
        if (b.v === "" && a.v !== "") return -1;
        var c = numeric ? Number(a.v) - Number(b.v) : collator.compare(a.v, b.v);
        if (c === 0) return a.r.order - b.r.order;
        return c * dir;
      });
      var into = grouped ? flat : bodies[0];
      keyed.forEach(function (k) {
        into.appendChild(k.r.tr);
        k.r.with.forEach(function (a) { into.appendChild(a); });
      });
      if (grouped) {
        bodies.forEach(function (tb) { tb.hidden = true; });
        flat.hidden = false;
        table.classList.add("flat");
        regroup.hidden = false;
      }
    }

    addFilter(table, rows, bodies, regroup);
  }

  function announce(table, message) {
    var status = table._dossierStatus;
    if (status) status.textContent = message;
  }

  function addFilter(table, rows, bodies, regroup) {
    var id = table.id + "-filter";
    var total = rows.length;
    if (total < 2) return;
    var caption = table.caption ? table.caption.textContent.trim() : "table";
    var input = el("input", {
      type: "search", id: id, "class": "table-filter-input", autocomplete: "off",
      spellcheck: "false", "aria-controls": table.id, "aria-describedby": id + "-hint",
      placeholder: "e.g. Kazakhstan, AP, 2022-10"
    });
    var count = el("span", { "class": "table-filter-count", role: "status", "aria-live": "polite" });
    var hint = el("span", { "class": "visually-hidden", id: id + "-hint", text: "Whole words; a row shows when it has every word." });
    var box = el("div", { "class": "table-filter" }, [
      el("label", { "for": id, text: "Filter" }),
      input,
      hint,
      count
    ]);
    if (regroup) box.appendChild(regroup);
    var label = box.querySelector("label");
    label.appendChild(el("span", { "class": "visually-hidden", text: " " + caption }));
    table._dossierStatus = count;

    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(box, wrap);

    var texts = new Map();
    rows.forEach(function (r) {
      texts.set(r.tr, words([r.tr].concat(r.with).map(rowWords).join(" ")));
    });

    function apply() {
      // Each term is a run of whole words ("2022 10" is 2022-10 in a date).
      var terms = input.value.split(/\s+/).map(words).filter(function (t) { return t.trim(); });
      var shown = 0;
      var visible = new Map();
      rows.forEach(function (r) {
        var text = texts.get(r.tr);
        var match = terms.every(function (t) { return text.indexOf(t) !== -1; });
        r.tr.hidden = !match;
        r.with.forEach(function (a) { a.hidden = !match; });
        if (match) {
          shown += 1;
          visible.set(r.home, true);
        }
      });
      bodies.forEach(function (tb) {
        Array.prototype.forEach.call(tb.rows, function (tr) {
          if (isGroupRow(tr)) tr.hidden = !visible.get(tb);
        });
      });
      count.textContent = terms.length ? shown + " of " + total + " shown" : "";
    }
    table._dossierApply = apply;
    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && input.value) { input.value = ""; apply(); }
    });

    // Arriving at a row the filter hides (a link from the text): show everything again.
    function arrive() {
      var target = location.hash.length > 1 && doc.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target && table.contains(target) && target.hidden && input.value) {
        input.value = "";
        apply();
        target.scrollIntoView();
      }
    }
    window.addEventListener("hashchange", arrive);
  }

  /* ---------- 1b. The evidence of a number in the text ---------- */

  // A figure in the text links to its row on /figures/ (that works without this). When the
  // page's own table has the row, a click opens its evidence (the quote in its sentence,
  // the source, the claimant and period) beside the number instead; the link stays one
  // click away in the box.
  function setupEvidence() {
    var links = doc.querySelectorAll("span.fig[data-figure] > a.fig-value");
    if (!links.length) return;
    var box = null;
    var opener = null;

    function close(focusBack) {
      if (!box) return;
      box.remove();
      box = null;
      if (opener) {
        opener.setAttribute("aria-expanded", "false");
        if (focusBack) opener.focus();
      }
      opener = null;
    }

    function cellText(row, cls) {
      var c = row.querySelector("." + cls);
      return c ? c.textContent.replace(/\s+/g, " ").trim() : "";
    }

    Array.prototype.forEach.call(links, function (a) {
      var anchor = a.getAttribute("href").split("#")[1];
      var row = anchor && doc.getElementById(anchor);
      if (!row || row.tagName !== "TR") return;
      a.setAttribute("aria-expanded", "false");
      a.addEventListener("click", function (e) {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        var same = opener === a;
        close(false);
        if (same) return;
        opener = a;
        a.setAttribute("aria-expanded", "true");
        var id = "evidence-" + anchor;
        box = el("div", { "class": "evidence-pop", id: id, role: "dialog", "aria-label": "Evidence for " + a.textContent });
        var heading = el("p", { "class": "evidence-pop-head" });
        heading.appendChild(el("strong", { text: a.textContent }));
        heading.appendChild(doc.createTextNode(" " + cellText(row, "col-subject")));
        box.appendChild(heading);
        var meta = [cellText(row, "col-when"), cellText(row, "col-source")].filter(Boolean).join(" · ");
        if (meta) box.appendChild(el("p", { "class": "evidence-pop-meta", text: meta }));
        var ev = row.querySelector(".col-quote");
        if (ev) Array.prototype.forEach.call(ev.children, function (c) { box.appendChild(c.cloneNode(true)); });
        var more = el("p", { "class": "evidence-pop-links" });
        more.appendChild(el("a", { href: a.href, text: "Compare with other sources" }));
        var closeButton = el("button", { type: "button", "class": "evidence-pop-close", text: "Close" });
        closeButton.addEventListener("click", function () { close(true); });
        more.appendChild(closeButton);
        box.appendChild(more);
        box.addEventListener("keydown", function (ev2) { if (ev2.key === "Escape") close(true); });
        a.setAttribute("aria-controls", id);
        // Below the paragraph, in the flow of the text: never off the side of a phone.
        var host = a.closest("p, li, dd, td, blockquote");
        if (host && host.tagName === "P") host.parentNode.insertBefore(box, host.nextSibling);
        else (host || a.parentNode).appendChild(box);
        box.setAttribute("tabindex", "-1");
        box.focus();
      });
    });
    doc.addEventListener("click", function (e) {
      if (box && !box.contains(e.target) && e.target !== opener && !(opener && opener.contains(e.target))) close(false);
    });
  }

  // Paper shows what a screen folds: every disclosure opens before printing.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(doc.querySelectorAll("details:not([open])"), function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-print-opened", "");
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(doc.querySelectorAll("details[data-print-opened]"), function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-print-opened");
    });
  });

  /* ---------- 2. Search ---------- */

  // The site root as a URL. The stylesheet link is resolved by the browser, so this is
  // right for absolute builds, --relative builds and file:// alike; data-root is the fallback.
  function siteRoot() {
    // The stylesheet lies at the site root, under a hashed name (style.<hash>.css).
    var link = doc.querySelector('link[rel="stylesheet"][href*="style."]');
    if (link) return new URL(".", link.href);
    return new URL((root.dataset.root || "") + "/", location.href);
  }

  function pageHref(url, base) {
    var path = url;
    var prefix = root.dataset.root || "";
    if (/^[a-z]+:/i.test(path)) return path;
    if (prefix && path.indexOf(prefix + "/") === 0) path = path.slice(prefix.length);
    var hash = "";
    var h = path.indexOf("#");
    if (h !== -1) { hash = path.slice(h); path = path.slice(0, h); }
    path = path.replace(/^\/+/, "");
    if (location.protocol === "file:" && (path === "" || path.slice(-1) === "/")) path += "index.html";
    return new URL(path, base).href + hash;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.MiniSearch) { resolve(); return; }
      var s = el("script", { src: src });
      s.async = true;
      s.onload = function () { resolve(); };
      s.onerror = function () { reject(new Error("could not load " + src)); };
      doc.head.appendChild(s);
    });
  }

  function snippet(doc_, terms) {
    var text = doc_.text || doc_.summary || "";
    var lower = text.toLowerCase();
    var at = -1;
    terms.forEach(function (t) {
      var i = lower.indexOf(t.toLowerCase());
      if (i !== -1 && (at === -1 || i < at)) at = i;
    });
    if (at === -1) {
      if (doc_.summary) return doc_.summary;
      at = 0;
    }
    var start = Math.max(0, at - 60);
    var end = Math.min(text.length, at + 140);
    if (start > 0) { var sp = text.indexOf(" ", start); if (sp !== -1 && sp < at) start = sp + 1; }
    if (end < text.length) { var ep = text.lastIndexOf(" ", end); if (ep > at) end = ep; }
    return (start > 0 ? "… " : "") + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  // Writes text into node with the matched terms in <mark>, without parsing any HTML.
  function highlight(node, text, terms) {
    // Longest first, so "kazakhstan" wins over its prefix "kazakh".
    var words = terms.filter(Boolean)
      .sort(function (a, b) { return b.length - a.length; })
      .map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    if (!words.length) { node.textContent = text; return; }
    var re = new RegExp("(" + words.join("|") + ")", "gi");
    var last = 0;
    text.replace(re, function (m, _g, offset) {
      node.appendChild(doc.createTextNode(text.slice(last, offset)));
      node.appendChild(el("mark", { text: m }));
      last = offset + m.length;
      return m;
    });
    node.appendChild(doc.createTextNode(text.slice(last)));
  }

  function setupSearch() {
    var form = doc.querySelector(".site-search");
    var input = doc.getElementById("search-input");
    var list = doc.getElementById("search-results");
    var status = doc.getElementById("search-status");
    if (!form || !input || !list) return;

    var base = siteRoot();
    var engine = null;
    var docs = null;
    var loading = null;
    var failed = false;

    function load() {
      if (loading) return loading;
      var indexUrl = new URL("search-index.json", base).href;
      var scriptUrl = new URL("vendor/minisearch.min.js", base).href;
      loading = Promise.all([
        loadScript(scriptUrl),
        fetch(indexUrl).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
      ]).then(function (out) {
        docs = new Map();
        out[1].forEach(function (d) { docs.set(d.url, d); });
        engine = new window.MiniSearch({
          idField: "url",
          fields: ["title", "summary", "text"],
          storeFields: ["title", "summary"],
          searchOptions: { boost: { title: 3, summary: 1.5 }, prefix: true, fuzzy: 0.2, combineWith: "AND" }
        });
        engine.addAll(out[1]);
        if (input.value.trim()) run();
      }).catch(function () {
        failed = true;
        show([], location.protocol === "file:"
          ? "Search needs the site to be served over HTTP."
          : "Search is unavailable right now.");
      });
      return loading;
    }

    function close() {
      list.hidden = true;
    }

    function show(items, message) {
      list.textContent = "";
      if (message) list.appendChild(el("li", { "class": "search-empty", text: message }));
      items.forEach(function (li) { list.appendChild(li); });
      list.hidden = false;
      status.textContent = message || (items.length + " result" + (items.length === 1 ? "" : "s"));
    }

    function run() {
      var q = input.value.trim();
      if (!q) { close(); status.textContent = ""; return; }
      if (failed) { show([], "Search is unavailable."); return; }
      if (!engine) { show([], "Loading the search index…"); return; }
      var results = engine.search(q).slice(0, 10);
      var items = results.map(function (r) {
        var d = docs.get(r.id) || { title: r.title, summary: r.summary, text: "" };
        var terms = r.terms.concat(r.queryTerms || []);
        var title = el("span", { "class": "search-result-title" });
        highlight(title, d.title || r.id, terms);
        var snip = el("span", { "class": "search-result-snippet" });
        highlight(snip, snippet(d, r.terms), terms);
        var a = el("a", { href: pageHref(r.id, base) }, [title, snip]);
        return el("li", null, [a]);
      });
      show(items, items.length ? "" : "No pages match “" + q + "”.");
    }

    input.addEventListener("focus", load, { once: true });
    input.addEventListener("input", function () { load(); run(); });
    input.addEventListener("focus", function () { if (input.value.trim() && engine) run(); });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var first = list.querySelector("a");
      if (first && !list.hidden) location.href = first.href;
    });

    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

    form.addEventListener("keydown", function (e) {
      var all = links();
      var i = all.indexOf(doc.activeElement);
      if (e.key === "Escape") {
        close();
        input.focus();
      } else if (e.key === "ArrowDown" && all.length) {
        e.preventDefault();
        if (list.hidden) run();
        all[Math.min(i + 1, all.length - 1)].focus();
      } else if (e.key === "ArrowUp" && i !== -1) {
        e.preventDefault();
        if (i === 0) input.focus(); else all[i - 1].focus();
      }
    });

    doc.addEventListener("click", function (e) {
      if (!form.contains(e.target)) close();
    });
    form.addEventListener("focusout", function (e) {
      if (e.relatedTarget && !form.contains(e.relatedTarget)) close();
    });

    // "/" focuses the search box, as on many documentation sites.
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      e.preventDefault();
      input.focus();
    });
  }

  function init() {
    Array.prototype.forEach.call(doc.querySelectorAll("table[data-sortable]"), enhanceTable);
    setupEvidence();
    setupSearch();
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
