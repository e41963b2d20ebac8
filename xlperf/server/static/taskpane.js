/* xlperf task pane: read the open workbook with Office.js, send it to the xlperf server, show
 * the findings and apply the changes the server sends back. Plain JavaScript, no framework.
 *
 * Text from the server or the workbook is only ever put on the page with textContent (never
 * as HTML), and only the actions listed in APPLY are carried out.
 */
(function () {
  "use strict";

  var KEY_STORE = "xlperf.key";
  var CLIENT = "Office.js";
  var VERSION = "xlperf-taskpane-1";
  var $ = function (id) { return document.getElementById(id); };
  var busy = false;

  // ---------------------------------------------------------------- the server key
  function serverKey() {
    try { return window.localStorage.getItem(KEY_STORE) || ""; } catch (e) { return ""; }
  }
  function saveKey(value) {
    try { window.localStorage.setItem(KEY_STORE, value); } catch (e) { /* private mode */ }
  }
  window.xlperfServerKey = serverKey; // shared with the XLPERF.* functions (same runtime)

  // ---------------------------------------------------------------- talking to the server
  function request(method, path, body) {
    var headers = { "Accept": "application/json" };
    var key = serverKey();
    if (key) { headers["Authorization"] = "Bearer " + key; }
    var options = { method: method, headers: headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (e) { data = null; }
        if (!response.ok || !data || data.ok === false) {
          var message = (data && data.error) ||
            "The xlperf server answered with an error (" + response.status + ").";
          var error = new Error(message);
          error.status = response.status;
          throw error;
        }
        return data;
      });
    }, function () {
      throw new Error("The xlperf server cannot be reached. Check your network connection, " +
        "or ask whoever runs the server whether it is running.");
    });
  }

  // ---------------------------------------------------------------- what the pane shows
  function progress(text) {
    var box = $("progress");
    if (text) { $("progress-text").textContent = text; box.hidden = false; }
    else { box.hidden = true; }
  }
  function message(text, kind) {
    var box = $("message");
    box.className = "message" + (kind === "info" ? " info" : "");
    box.textContent = text || "";
    box.hidden = !text;
  }
  function setBusy(on) {
    busy = on;
    ["validate", "refresh", "log", "returns"].forEach(function (id) { $(id).disabled = on; });
  }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }
  function clearResults() {
    var results = $("results");
    while (results.firstChild) { results.removeChild(results.firstChild); }
    return results;
  }

  function showFindings(title, data) {
    var results = clearResults();
    results.appendChild(el("h2", title));
    results.appendChild(el("p", data.summary, "summary"));
    var findings = (data.findings || []).map(function (f, i) { return [f, i]; });
    findings.sort(function (a, b) { // errors first, then in the order the server gave
      return (a[0].severity !== "error") - (b[0].severity !== "error") || a[1] - b[1];
    });
    findings = findings.map(function (pair) { return pair[0]; });
    if (!findings.length) { return; }
    var errors = findings.filter(function (f) { return f.severity === "error"; }).length;
    var counts = el("p", null, "counts");
    counts.appendChild(el("span", "✖ " + errors + " error" + (errors === 1 ? "" : "s"), "error"));
    var queries = findings.length - errors;
    counts.appendChild(el("span", "? " + queries + " quer" + (queries === 1 ? "y" : "ies"),
      "query"));
    results.appendChild(counts);
    var list = el("ol", null, "findings");
    findings.forEach(function (f) {
      var item = el("li", null, f.severity === "error" ? "error" : "query");
      item.appendChild(el("span", f.severity === "error" ? "✖ Error" : "? Query", "sev"));
      if (f.file && f.in_book === false) {
        item.appendChild(el("span", f.file + (f.sheet ? " " + f.sheet + "!" + (f.cell || "")
          : ""), "file"));
        item.appendChild(document.createTextNode(" "));
      } else if (f.sheet && f.cell) {
        var link = el("a", f.sheet + "!" + f.cell);
        link.href = "#";
        link.setAttribute("data-sheet", f.sheet);
        link.setAttribute("data-cell", f.cell);
        link.title = "Select " + f.sheet + "!" + f.cell + " in the workbook";
        link.addEventListener("click", function (event) {
          event.preventDefault();
          selectCell(f.sheet, f.cell);
        });
        item.appendChild(link);
        item.appendChild(document.createTextNode(" "));
      }
      item.appendChild(el("span", f.message));
      if (f.how_to_fix) { item.appendChild(el("div", f.how_to_fix, "fix")); }
      item.appendChild(el("div", f.rule, "rule"));
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  function showLog(data) {
    var results = clearResults();
    results.appendChild(el("h2", "Log"));
    results.appendChild(el("p", data.summary, "summary"));
    if (!data.entries || !data.entries.length) { return; }
    var table = el("table", null, "log");
    var head = el("tr");
    ["#", "When", "Period", "What"].forEach(function (h) { head.appendChild(el("th", h)); });
    table.appendChild(head);
    data.entries.forEach(function (entry) {
      var row = el("tr");
      row.appendChild(el("td", entry.id));
      row.appendChild(el("td", (entry.started || "").replace("T", " ").slice(0, 16)));
      row.appendChild(el("td", entry.period || ""));
      var counts = entry.counts || {};
      var what = Object.keys(counts).map(function (k) { return k + " " + counts[k]; });
      row.appendChild(el("td", (entry.kind || "") + (what.length ? ": " + what.join(", ") : "")));
      table.appendChild(row);
    });
    results.appendChild(table);
  }

  // Each measure's status, variation and assurance after a refresh: a symbol and a word
  // (never colour alone), the sentence that explains it one click away (and as a tooltip).
  // MDC's colours by word, as classes (the page's CSP allows no inline styles).
  var TONE = {
    "Special cause of improvement": "improvement", "Consistently passing": "improvement",
    "Special cause of concern": "concern", "Consistently failing": "concern",
    "Special cause high": "neutral-high", "Special cause low": "neutral-high",
    "Common cause": "common", "Hit and miss": "common"
  };
  function icon(what, part, tone) {
    var box = el("details", null, "icon " + (tone || "plain"));
    var summary = el("summary");
    summary.appendChild(el("span", what, "what"));
    summary.appendChild(document.createTextNode(" " +
      ((part.symbol ? part.symbol + " " : "") + (part.word || "—"))));
    box.appendChild(summary);
    if (part.explanation) {
      box.title = part.explanation;
      box.appendChild(el("p", part.explanation, "why"));
    }
    return box;
  }
  function showMeasures(measures) {
    if (!measures || !measures.length) { return; }
    var results = $("results");
    results.appendChild(el("h2", "Measures (" + measures.length + ")"));
    var list = el("ol", null, "measures");
    measures.forEach(function (m) {
      var item = el("li");
      item.setAttribute("data-code", m.code);
      var name = el("div", null, "name");
      name.appendChild(el("span", m.code, "code"));
      name.appendChild(document.createTextNode(" " + (m.measure || "") +
        (m.period ? " (" + m.period + ")" : "")));
      item.appendChild(name);
      var icons = el("div", null, "icons");
      icons.appendChild(icon("Status", m.status || {}, "status"));
      ["variation", "assurance"].forEach(function (key) {
        var part = m[key] || {};
        if (part.word) {
          icons.appendChild(icon(key === "variation" ? "Variation" : "Assurance", part,
            TONE[part.word]));
        }
      });
      item.appendChild(icons);
      list.appendChild(item);
    });
    results.appendChild(list);
  }

  var OWED = { "not received": true, "blank": true, "rejected": true };
  function day(iso) { // 2014-01-15 as 15 Jan 2014
    var months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
      "Dec"];
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? Number(m[3]) + " " + months[Number(m[2]) - 1] + " " + m[1] : "";
  }

  function showReturns(data) {
    var results = clearResults();
    results.appendChild(el("h2", "Returns for " + data.period + " (as of " + day(data.today) +
      ")"));
    results.appendChild(el("p", data.summary, "summary"));
    if (!data.returns || !data.returns.length) { return; }
    var table = el("table", null, "log returns");
    var head = el("tr");
    ["Return for", "Due", "Outcome", "Overdue", "Errors", "Queries"].forEach(function (h) {
      head.appendChild(el("th", h));
    });
    table.appendChild(head);
    data.returns.forEach(function (r) {
      var row = el("tr");
      var who = el("td", r.return_for);
      who.title = (r.contact || "no contact") + (r.file ? "\n" + r.file : "");
      row.appendChild(who);
      row.appendChild(el("td", day(r.due)));
      row.appendChild(el("td", r.outcome, OWED[r.outcome] ? "owed" :
        (r.outcome === "partly accepted" ? "partly" : "done")));
      row.appendChild(el("td", r.days_overdue ? r.days_overdue + (r.late ? " (late)" : "")
        : ""));
      row.appendChild(el("td", r.received ? r.errors : ""));
      row.appendChild(el("td", r.received ? r.queries : ""));
      table.appendChild(row);
    });
    results.appendChild(table);
  }

  // ---------------------------------------------------------------- reading the workbook
  function excelDate(serial) {
    return new Date(Math.round((serial - 25569) * 86400 * 1000)).toISOString();
  }

  function readWorkbook() {
    var categories = Office.context.requirements.isSetSupported("ExcelApi", "1.12");
    return Excel.run(function (context) {
      var book = context.workbook;
      book.load("name");
      var sheets = book.worksheets;
      sheets.load("items/name,items/visibility,items/position");
      var active = sheets.getActiveWorksheet();
      active.load("position");
      var selected = book.getSelectedRange();
      selected.load("address");
      var used;
      return context.sync().then(function () {
        used = sheets.items.map(function (sheet) {
          var range = sheet.getUsedRangeOrNullObject(true);
          range.load("rowIndex,columnIndex,rowCount,columnCount");
          return range;
        });
        return context.sync();
      }).then(function () {
        var ranges = sheets.items.map(function (sheet, i) {
          var u = used[i];
          if (u.isNullObject) { return null; }
          var range = sheet.getRangeByIndexes(0, 0, u.rowIndex + u.rowCount,
            u.columnIndex + u.columnCount);
          range.load(categories ? "values,numberFormat,numberFormatCategories"
            : "values,numberFormat");
          return range;
        });
        return context.sync().then(function () {
          var payload = {
            client: CLIENT, version: VERSION,
            book: { name: book.name, active_sheet_index: active.position,
                    selection: String(selected.address || "").split("!").pop() || null },
            names: [], sheets: []
          };
          sheets.items.forEach(function (sheet, i) {
            var range = ranges[i];
            var values = range ? range.values : [[]];
            if (range && categories) {
              values = values.map(function (row, r) {
                return row.map(function (value, c) {
                  var category = String(range.numberFormatCategories[r][c]);
                  return (category === "Date" || category === "Time") &&
                    typeof value === "number" ? excelDate(value) : value;
                });
              });
            }
            payload.sheets.push({
              name: sheet.name, values: values, visibility: sheet.visibility,
              number_formats: range ? range.numberFormat : [[]], tables: [], pictures: []
            });
          });
          return payload;
        });
      });
    });
  }

  // ---------------------------------------------------------------- applying the changes
  function fill(rows, columns, value) {
    var out = [];
    for (var r = 0; r < rows; r++) {
      var row = [];
      for (var c = 0; c < columns; c++) { row.push(value); }
      out.push(row);
    }
    return out;
  }
  function one(args) { return Array.isArray(args) ? args[0] : args; }

  var APPLY = {
    setValues: function (a, s, r) { r().values = a.values; },
    rangeClearContents: function (a, s, r) { r().clear("Contents"); },
    rangeClearFormats: function (a, s, r) { r().clear("Formats"); },
    rangeClear: function (a, s, r) { r().clear(); },
    setNumberFormat: function (a, s, r) {
      r().numberFormat = fill(a.row_count, a.column_count, one(a.args));
    },
    setRangeColor: function (a, s, r) {
      var colour = one(a.args);
      if (colour === null || colour === undefined) { r().format.fill.clear(); }
      else { r().format.fill.color = colour; }
    },
    setFontProperty: function (a, s, r) { r().format.font[a.args[0]] = a.args[1]; },
    setColumnWidth: function (a, s, r) { r().format.columnWidth = one(a.args); },
    setColumnHidden: function (a, s, r) { r().columnHidden = Boolean(one(a.args)); },
    setHorizontalAlignment: function (a, s, r) { r().format.horizontalAlignment = one(a.args); },
    setVerticalAlignment: function (a, s, r) { r().format.verticalAlignment = one(a.args); },
    setWrapText: function (a, s, r) { r().format.wrapText = one(a.args); },
    setAutofit: function (a, s, r) {
      if (one(a.args) === "columns") { r().format.autofitColumns(); }
      else { r().format.autofitRows(); }
    },
    setSheetAutofit: function (a, s) {
      var range = s().getUsedRange();
      if (one(a.args) === "columns") { range.format.autofitColumns(); }
      else { range.format.autofitRows(); }
    },
    freezePaneAtRange: function (a, s) { s().freezePanes.freezeAt(s().getRange(one(a.args))); },
    freezePaneUnfreeze: function (a, s) { s().freezePanes.unfreeze(); },
    activateSheet: function (a, s, r, sheets) { sheets.items[one(a.args)].activate(); },
    setSheetName: function (a, s) { s().name = one(a.args); },
    setSheetVisibility: function (a, s) { s().visibility = one(a.args); },
    sheetClear: function (a, s) { s().getRange().clear(); },
    sheetClearContents: function (a, s) { s().getRange().clear("Contents"); },
    sheetClearFormats: function (a, s) { s().getRange().clear("Formats"); },
    sheetDelete: function (a, s) { s().delete(); },
    addSheet: function (a, s, r, sheets) {
      var name = a.args[1];
      var sheet = (name === null || name === undefined) ? sheets.add() : sheets.add(name);
      sheet.position = a.args[0];
    }
  };
  var STRUCTURE = { addSheet: true, sheetDelete: true, setSheetName: true };

  function applyActions(actions) {
    var unknown = actions.filter(function (a) { return !APPLY[a.func]; });
    if (unknown.length) {
      return Promise.reject(new Error("The server asked for a change this pane cannot make (" +
        unknown[0].func + "); nothing was changed. Ask whoever runs the server to update it."));
    }
    return Excel.run(function (context) {
      var sheets = context.workbook.worksheets;
      sheets.load("items/name");
      var i = 0;
      function next() {
        if (i >= actions.length) { return context.sync(); }
        var a = actions[i++];
        var sheet = function () { return sheets.items[a.sheet_position]; };
        var range = function () {
          return sheet().getRangeByIndexes(a.start_row, a.start_column, a.row_count,
            a.column_count);
        };
        APPLY[a.func](a, sheet, range, sheets);
        if (STRUCTURE[a.func]) {
          return context.sync().then(function () {
            sheets.load("items/name");
            return context.sync();
          }).then(next);
        }
        return next();
      }
      return context.sync().then(next);
    });
  }

  function selectCell(sheetName, cell) {
    return Excel.run(function (context) {
      var sheet = context.workbook.worksheets.getItem(sheetName);
      sheet.activate();
      sheet.getRange(cell).select();
      return context.sync();
    }).catch(function () {
      message("The cell " + sheetName + "!" + cell + " cannot be selected: has the sheet " +
        "been renamed or deleted?");
    });
  }

  // ---------------------------------------------------------------- the three buttons
  function run(steps) {
    if (busy) { return Promise.resolve(); }
    setBusy(true);
    message("");
    return steps().catch(function (error) {
      var text = (error && error.message) || String(error);
      if (error && error.code && typeof OfficeExtension !== "undefined" &&
          error instanceof OfficeExtension.Error) {
        text = "Excel could not do this: " + text + ". If the workbook was being edited, " +
          "press Enter or Esc and try again.";
      }
      message(text);
      if (error && error.status === 401) { $("settings").open = true; $("key").focus(); }
    }).then(function () { progress(""); setBusy(false); });
  }

  function validate() {
    return run(function () {
      progress("Reading the workbook…");
      return readWorkbook().then(function (payload) {
        progress("Checking " + payload.sheets.length + " sheets against the team's rules…");
        return request("POST", "/validate", payload);
      }).then(function (data) { showFindings("Validation", data); });
    });
  }

  function refresh() {
    return run(function () {
      progress("Reading the workbook…");
      var result;
      return readWorkbook().then(function (payload) {
        progress("Scoring the measures and recording them in the team's ledger…");
        return request("POST", "/refresh", payload);
      }).then(function (data) {
        result = data;
        progress("Writing " + data.actions.length + " changes to the workbook…");
        return applyActions(data.actions);
      }).then(function () {
        showFindings("Refresh", result);
        showMeasures(result.measures);
      });
    });
  }

  function showLogClicked() {
    return run(function () {
      progress("Fetching the log…");
      return request("GET", "/log").then(showLog);
    });
  }

  function showReturnsClicked() {
    return run(function () {
      progress("Looking at the returns folder…");
      return request("GET", "/returns").then(showReturns);
    });
  }

  function checkConnection() {
    var badge = $("connection");
    return request("GET", "/health").then(function (data) {
      badge.textContent = "Connected" + (data.master ? " · " + data.master : "");
      badge.className = "connection ok";
    }, function (error) {
      badge.textContent = error.status === 401 ? "Key needed" : "Not connected";
      badge.className = "connection bad";
      if (error.status === 401) { $("settings").open = true; }
    });
  }

  Office.onReady(function () {
    $("validate").addEventListener("click", validate);
    $("refresh").addEventListener("click", refresh);
    $("log").addEventListener("click", showLogClicked);
    $("returns").addEventListener("click", showReturnsClicked);
    $("key").value = serverKey();
    $("key-form").addEventListener("submit", function (event) {
      event.preventDefault();
      saveKey($("key").value.trim());
      message("Key saved.", "info");
      checkConnection();
    });
    setBusy(false);
    checkConnection();
  });

  // For the tests (a stand-in Office.js drives the same functions).
  window.xlperfPane = { readWorkbook: readWorkbook, applyActions: applyActions,
                        showMeasures: showMeasures, actions: Object.keys(APPLY).sort() };
})();
