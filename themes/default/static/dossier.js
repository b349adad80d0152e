/* dossier default theme: progressive enhancement only.
 * Without this file every page still works: tables are plain tables,
 * and the search box (which needs it) stays hidden.
 *  1. Tables marked data-sortable get sort buttons in their headers and a filter box;
 *     a number in the text opens its evidence from the page's own figure table.
 *  2. The search box queries the site's chunked index (search/), fetching only the words
 *     typed and the results shown.
 */

// The search tokenizer: the rules of the build's (src/render/search/tokens.rs), which
// tests/search.rs checks against this one. A token is a run of letters, digits and marks;
// between digits, "," or a no-break/narrow/thin space before exactly three digits is a
// thousands separator ("98,000" is 98000) and "." before a digit a decimal point.
var DossierSearch = (function () {
  "use strict";
  var W = "[\\p{Alphabetic}\\p{N}\\p{M}]+";
  var TOKEN_RE = new RegExp(W + "(?:(?:(?<=[0-9])[,\\u00a0\\u202f\\u2009](?=[0-9]{3}(?![0-9]))|(?<=[0-9])\\.(?=[0-9]))" + W + ")*", "gu");
  function normalise(t) {
    return t.replace(/[,\u00a0\u202f\u2009]/g, "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  }
  function indexable(t) {
    var c = Array.from(t);
    return c.length > 1 || (c.length === 1 && /\p{N}/u.test(t));
  }
  function tokens(s) {
    var out = [];
    (s.match(TOKEN_RE) || []).forEach(function (m) {
      var t = normalise(m);
      if (indexable(t)) out.push(t);
    });
    return out;
  }
  return { tokens: tokens, normalise: normalise, TOKEN_RE: TOKEN_RE };
})();
if (typeof module === "object" && module.exports) module.exports = DossierSearch;

(function () {
  "use strict";
  if (typeof document === "undefined") return; // node, for the tokenizer's test

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

  // The index is dossier's own (search/ in the output; README, "Search"): a manifest with
  // the first word of each chunk of sorted words, the chunks, and the results in bundles. A
  // query fetches the manifest, one chunk per word (the word being typed also completes,
  // from at most two chunks) and the results it shows, eight at a time.
  var PAGE = 8;
  var tokens = DossierSearch.tokens, normaliseToken = DossierSearch.normalise;
  var TOKEN_RE = DossierSearch.TOKEN_RE;

  // The site root as a URL. The stylesheet link is resolved by the browser, so this is
  // right for absolute and --relative builds alike; data-root is the fallback.
  function siteRoot() {
    // The stylesheet lies at the site root, under a hashed name (style.<hash>.css).
    var link = doc.querySelector('link[rel="stylesheet"][href*="style."]');
    if (link) return new URL(".", link.href);
    return new URL((root.dataset.root || "") + "/", location.href);
  }

  // Code point order, as the build sorts words (by their UTF-8 bytes), not UTF-16 units.
  function cmp(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < x.length && i < y.length; i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d;
    }
    return x.length - y.length;
  }

  function setupSearch() {
    var form = doc.querySelector(".site-search");
    var input = doc.getElementById("search-input");
    var list = doc.getElementById("search-results");
    var status = doc.getElementById("search-status");
    if (!form || !input || !list) return;

    var base = new URL("search/", siteRoot());
    var manifest = null, cache = {}, timer = 0, seq = 0, hits = [], shown = 0, words = new Set();

    function unsupported() {
      if (location.protocol === "file:") return "Search needs the site to be served over HTTP.";
      if (typeof DecompressionStream === "undefined" || !window.fetch) {
        return "Search needs a newer browser (Chrome 80, Firefox 113 or Safari 16.4 and later).";
      }
      return "";
    }

    // The .dsi files are gzip-compressed JSON; a host that already decoded them (with
    // Content-Encoding) hands over plain JSON.
    function get(path) {
      if (!cache[path]) {
        cache[path] = fetch(new URL(path + "?v=" + manifest.v, base)).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.arrayBuffer();
        }).then(function (buf) {
          var b = new Uint8Array(buf);
          if (b[0] !== 0x1f || b[1] !== 0x8b) return JSON.parse(new TextDecoder().decode(b));
          return new Response(new Blob([b]).stream().pipeThrough(new DecompressionStream("gzip"))).json();
        });
        cache[path].catch(function () { delete cache[path]; });
      }
      return cache[path];
    }
    var loading = null;
    function load() {
      if (!loading) {
        loading = fetch(new URL("index.json", base), { cache: "no-cache" }).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        }).then(function (m) { manifest = m; return m; });
        loading.catch(function () { loading = null; });
      }
      return loading;
    }
    function chunkOf(t) { // the last chunk whose first word is <= t
      var c = manifest.chunks, lo = 0, hi = c.length - 1;
      while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (cmp(c[mid], t) <= 0) lo = mid; else hi = mid - 1; }
      return lo;
    }
    // A word's documents with their scores: [doc gap, score, ...] -> Map doc -> score; a
    // prefix keeps each document's best word.
    function postings(arr, into) {
      for (var i = 0, d = 0; i < arr.length; i += 2) { d += arr[i]; into.set(d, Math.max(into.get(d) || 0, arr[i + 1])); }
      return into;
    }
    function term(t, prefix) {
      var k = chunkOf(t), c = manifest.chunks;
      var ks = prefix && k + 1 < c.length && c[k + 1].indexOf(t) === 0 ? [k, k + 1] : [k];
      return Promise.all(ks.map(function (i) { return get("t/" + i + ".dsi"); })).then(function (chunks) {
        var m = new Map(), matched = [];
        chunks.forEach(function (ch) {
          Object.keys(ch).forEach(function (w) {
            if (w === t || (prefix && w.indexOf(t) === 0)) { matched.push(w); postings(ch[w], m); }
          });
        });
        return { docs: m, words: matched };
      });
    }

    function message(text) {
      list.textContent = "";
      list.appendChild(el("li", { "class": "search-empty", text: text }));
      list.hidden = false;
      status.textContent = text;
    }

    function search() {
      var q = input.value, terms = Array.from(new Set(tokens(q)));
      var my = ++seq;
      if (!terms.length) { list.hidden = true; list.textContent = ""; list.removeAttribute("data-query"); status.textContent = ""; return; }
      var why = unsupported();
      if (why) { message(why); return; }
      var last = terms[terms.length - 1];
      // Only the word being typed completes, and only a word: "98" never finds "980".
      var prefix = !/\s$/.test(q) && /^\p{L}/u.test(last) && Array.from(last).length >= 2;
      load().then(function () {
        return Promise.all(terms.map(function (t, i) { return term(t, prefix && i === terms.length - 1); }));
      }).then(function (found) {
        if (my !== seq) return;
        var maps = found.map(function (f) { return f.docs; }).sort(function (a, b) { return a.size - b.size; });
        hits = Array.from(maps[0].keys())
          .filter(function (d) { return maps.every(function (m) { return m.has(d); }); })
          .map(function (d) { return [d, maps.reduce(function (s, m) { return s + m.get(d); }, 0)]; })
          .sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        words = new Set();
        found.forEach(function (f) { f.words.forEach(function (w) { words.add(w); }); });
        shown = 0;
        list.textContent = "";
        list.setAttribute("data-query", q); // what the results are for
        if (!hits.length) { message("Nothing matches “" + q.trim() + "”."); return; }
        status.textContent = hits.length + " result" + (hits.length === 1 ? "" : "s");
        list.hidden = false;
        return more(my);
      }).catch(function () {
        if (my === seq) message("Search is unavailable right now.");
      });
    }
    function more(my) {
      var page = hits.slice(shown, shown + PAGE);
      shown += page.length;
      var g = manifest.bundle || 1;
      return Promise.all(page.map(function (h) {
        return get("d/" + Math.floor(h[0] / g) + ".dsi").then(function (bundle) { return bundle[h[0] % g]; });
      })).then(function (ds) {
        if (my !== seq) return;
        var old = list.querySelector("li.search-more");
        if (old) old.remove();
        var first = null;
        ds.forEach(function (d) { var li = item(d); first = first || li; list.appendChild(li); });
        if (shown < hits.length) {
          var b = el("button", { type: "button", "class": "search-more-button", text: "More results (" + (hits.length - shown) + " more)" });
          b.addEventListener("click", function () {
            more(seq).then(function (li) { var a = li && li.querySelector("a"); if (a) a.focus(); });
          });
          list.appendChild(el("li", { "class": "search-more" }, [b]));
        }
        return first;
      });
    }
    function count(text) {
      return tokens(text).filter(function (t) { return words.has(t); }).length;
    }
    function item(d) {
      var best = d.b[0] || ["", "", ""], score = -1; // the block with the most matched words
      d.b.forEach(function (blk) {
        var n = count(blk[1] + " " + blk[2]);
        if (n > score) { score = n; best = blk; }
      });
      var hash = best[0] && d.u.indexOf("#") < 0 ? "#" + best[0] : "";
      var title = el("span", { "class": "search-result-title" });
      mark(title, d.t + (best[1] ? " › " + best[1] : ""));
      var kind = el("span", { "class": "search-result-kind", text: d.k });
      var snip = el("span", { "class": "search-result-snippet" });
      mark(snip, excerpt(best[2]));
      var a = el("a", { href: new URL(d.u + hash, siteRoot()).href }, [title, kind, snip]);
      return el("li", null, [a]);
    }
    function excerpt(text) { // about 24 words around the first match
      var ms = Array.from(text.matchAll(TOKEN_RE));
      if (!ms.length) return text.slice(0, 160);
      var at = ms.findIndex(function (m) { return words.has(normaliseToken(m[0])); });
      if (at < 0) at = 0;
      var from = Math.max(0, at - 8), to = Math.min(ms.length - 1, from + 24);
      var a = ms[from].index, b = ms[to].index + ms[to][0].length;
      return (a > 0 ? "… " : "") + text.slice(a, b) + (b < text.length ? " …" : "");
    }
    // Whole words only, as text nodes (no HTML is parsed): "Lars" never marks "dollars".
    function mark(node, text) {
      var last = 0, m;
      TOKEN_RE.lastIndex = 0;
      while ((m = TOKEN_RE.exec(text))) {
        if (!words.has(normaliseToken(m[0]))) continue;
        node.appendChild(doc.createTextNode(text.slice(last, m.index)));
        node.appendChild(el("mark", { text: m[0] }));
        last = m.index + m[0].length;
      }
      node.appendChild(doc.createTextNode(text.slice(last)));
    }

    input.addEventListener("focus", function () { if (!unsupported()) load().catch(function () {}); }, { once: true });
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 100); });
    input.addEventListener("focus", function () { if (input.value.trim() && list.childNodes.length) list.hidden = false; });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var first = list.querySelector("a");
      if (first && !list.hidden) location.href = first.href;
    });

    function targets() { return Array.prototype.slice.call(list.querySelectorAll("a, button")); }

    form.addEventListener("keydown", function (e) {
      var all = targets();
      var i = all.indexOf(doc.activeElement);
      if (e.key === "Escape") {
        list.hidden = true;
        input.focus();
      } else if (e.key === "ArrowDown" && all.length) {
        e.preventDefault();
        list.hidden = false;
        all[Math.min(i + 1, all.length - 1)].focus();
      } else if (e.key === "ArrowUp" && i !== -1) {
        e.preventDefault();
        if (i === 0) input.focus(); else all[i - 1].focus();
      }
    });

    // The path as dispatched: "More results" is gone from the list by the time this runs.
    doc.addEventListener("click", function (e) {
      if (e.composedPath().indexOf(form) === -1) list.hidden = true;
    });
    form.addEventListener("focusout", function (e) {
      if (e.relatedTarget && !form.contains(e.relatedTarget)) list.hidden = true;
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
