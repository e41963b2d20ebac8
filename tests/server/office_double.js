/* A stand-in for Office.js in the browser tests: an Excel workbook in memory with the part of
 * the Excel JavaScript API the xlperf task pane uses. It records what the page reads, writes
 * and selects in window.__office, and models how Excel takes values written to cells: a leading
 * apostrophe marks text and is not stored, "=..." becomes a formula (recorded, so a test can
 * fail on it), ISO date text becomes a date. Load the workbook into window.__officeBook
 * ({name, active, sheets: [{name, visibility, values}]}) before the page loads.
 */
(function () {
  "use strict";
  var source = window.__officeBook || { name: "Book1.xlsx", active: 0, sheets: [] };
  var ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?Z?$/;
  var log = { reads: 0, writes: [], selected: [], formulas: [], activated: [] };
  window.__office = log;

  function serial(match) {
    var ms = Date.UTC(+match[1], +match[2] - 1, +match[3], +(match[4] || 0), +(match[5] || 0),
      +(match[6] || 0));
    return ms / 86400000 + 25569;
  }
  function cellFromPayload(value) { // what Excel holds for a value of the payload
    if (typeof value === "string") {
      var m = ISO.exec(value);
      if (m) { return { v: serial(m), category: "Date" }; }
    }
    return { v: value === null || value === undefined ? "" : value, category: "General" };
  }
  function typed(value) { // what Excel holds after a value is written to a cell
    if (value === null || value === undefined || value === "") { return { v: "", category: "General" }; }
    if (typeof value !== "string") { return { v: value, category: "General" }; }
    if (value.charAt(0) === "'") { return { v: value.slice(1), category: "Text" }; }
    if (value.charAt(0) === "=") { log.formulas.push(value); return { v: "#FORMULA " + value, category: "General" }; }
    var m = ISO.exec(value);
    if (m) { return { v: serial(m), category: "Date" }; }
    return { v: value, category: "General" };
  }

  function Sheet(spec) {
    this.name = spec.name;
    this.visibility = spec.visibility || "Visible";
    this.cells = (spec.values || []).map(function (row) { return row.map(cellFromPayload); });
    this.formats = {};
    var self = this;
    this.freezePanes = {
      freezeAt: function (range) { self.frozen = range.address; },
      unfreeze: function () { self.frozen = null; }
    };
  }
  Sheet.prototype.load = function () { return this; };
  Object.defineProperty(Sheet.prototype, "position", {
    get: function () { return book.worksheets.items.indexOf(this); },
    set: function (p) {
      var items = book.worksheets.items;
      items.splice(items.indexOf(this), 1);
      items.splice(Math.min(p, items.length), 0, this);
    }
  });
  Sheet.prototype.cell = function (r, c) {
    while (this.cells.length <= r) { this.cells.push([]); }
    var row = this.cells[r];
    while (row.length <= c) { row.push({ v: "", category: "General" }); }
    return row[c];
  };
  Sheet.prototype.used = function () {
    var last = [-1, -1];
    this.cells.forEach(function (row, r) {
      row.forEach(function (cell, c) {
        if (cell.v !== "") { last = [Math.max(last[0], r), Math.max(last[1], c)]; }
      });
    });
    return last;
  };
  Sheet.prototype.getUsedRangeOrNullObject = function () {
    var last = this.used();
    if (last[0] < 0) { return { isNullObject: true, load: function () { return this; } }; }
    return new Range(this, 0, 0, last[0] + 1, last[1] + 1);
  };
  Sheet.prototype.getUsedRange = function () {
    var last = this.used();
    return new Range(this, 0, 0, Math.max(last[0] + 1, 1), Math.max(last[1] + 1, 1));
  };
  Sheet.prototype.getRangeByIndexes = function (r, c, rows, cols) {
    return new Range(this, r, c, rows, cols);
  };
  Sheet.prototype.getRange = function (address) {
    if (!address) { return this.getUsedRange(); }
    var m = /^\$?([A-Z]+)\$?(\d+)$/.exec(String(address).toUpperCase());
    if (!m) { return new Range(this, 0, 0, 1, 1, address); }
    var col = 0;
    for (var i = 0; i < m[1].length; i++) { col = col * 26 + m[1].charCodeAt(i) - 64; }
    return new Range(this, +m[2] - 1, col - 1, 1, 1, address);
  };
  Sheet.prototype.activate = function () {
    source.active = this.position;
    log.activated.push(this.name);
  };
  Sheet.prototype.delete = function () {
    book.worksheets.items.splice(this.position, 1);
  };

  function Range(sheet, r, c, rows, cols, address) {
    this.sheet = sheet; this.rowIndex = r; this.columnIndex = c;
    this.rowCount = rows; this.columnCount = cols; this.isNullObject = false;
    this.address = sheet.name + "!" + (address || ("R" + (r + 1) + "C" + (c + 1)));
    var range = this;
    var fmt = function (key, value) { range.each(function (cell) { cell[key] = value; }); };
    this.format = {
      fill: { clear: function () { fmt("fill", null); } },
      font: {},
      autofitColumns: function () {}, autofitRows: function () {}
    };
    ["color"].forEach(function (k) {
      Object.defineProperty(range.format.fill, k, { set: function (v) { fmt("fill", v); } });
    });
    ["bold", "italic", "color", "name", "size"].forEach(function (k) {
      Object.defineProperty(range.format.font, k, { set: function (v) { fmt("font_" + k, v); } });
    });
    ["columnWidth", "wrapText", "horizontalAlignment", "verticalAlignment"].forEach(function (k) {
      Object.defineProperty(range.format, k, { set: function (v) { fmt(k, v); } });
    });
  }
  Range.prototype.load = function () { log.reads += 1; return this; };
  Range.prototype.each = function (fn) {
    for (var r = 0; r < this.rowCount; r++) {
      for (var c = 0; c < this.columnCount; c++) {
        fn(this.sheet.cell(this.rowIndex + r, this.columnIndex + c), r, c);
      }
    }
  };
  Range.prototype.grid = function (key) {
    var out = [];
    for (var r = 0; r < this.rowCount; r++) {
      var row = [];
      for (var c = 0; c < this.columnCount; c++) {
        var cell = (this.sheet.cells[this.rowIndex + r] || [])[this.columnIndex + c];
        row.push(cell ? cell[key] : (key === "v" ? "" : key === "category" ? "General" : null));
      }
      out.push(row);
    }
    return out;
  };
  Object.defineProperty(Range.prototype, "values", {
    get: function () { return this.grid("v"); },
    set: function (values) {
      if (values.length !== this.rowCount || values.some(function (row, i) {
        return row.length !== this.columnCount; }, this)) {
        throw new Error("values are not " + this.rowCount + " x " + this.columnCount);
      }
      log.writes.push({ sheet: this.sheet.name, row: this.rowIndex, column: this.columnIndex,
                        rows: this.rowCount, columns: this.columnCount });
      this.each(function (cell, r, c) {
        var t = typed(values[r][c]);
        cell.v = t.v; cell.category = t.category;
      });
    }
  });
  Object.defineProperty(Range.prototype, "numberFormat", {
    get: function () {
      return this.grid("numberFormat").map(function (row) {
        return row.map(function (f) { return f || "General"; });
      });
    },
    set: function (formats) { this.each(function (cell, r, c) { cell.numberFormat = formats[r][c]; }); }
  });
  Object.defineProperty(Range.prototype, "numberFormatCategories", {
    get: function () { return this.grid("category"); }
  });
  Object.defineProperty(Range.prototype, "columnHidden", {
    set: function (v) { this.each(function (cell) { cell.hidden = v; }); }
  });
  Range.prototype.clear = function (what) {
    this.each(function (cell) {
      if (what !== "Formats") { cell.v = ""; cell.category = "General"; }
    });
  };
  Range.prototype.select = function () { log.selected.push(this.address); };

  var sheets = source.sheets.map(function (s) { return new Sheet(s); });
  var book = {
    name: source.name,
    load: function () { return this; },
    getSelectedRange: function () {
      return { address: (sheets[source.active] || { name: "Sheet1" }).name + "!A1",
               load: function () { return this; } };
    },
    worksheets: {
      items: sheets,
      load: function () { return this; },
      getActiveWorksheet: function () { return book.worksheets.items[source.active]; },
      getItem: function (name) {
        var found = book.worksheets.items.filter(function (s) { return s.name === name; })[0];
        if (!found) { throw new Error("ItemNotFound: " + name); }
        return found;
      },
      add: function (name) {
        var sheet = new Sheet({ name: name || "Sheet" + (book.worksheets.items.length + 1) });
        book.worksheets.items.push(sheet);
        return sheet;
      }
    }
  };

  window.__officeGrids = function () { // every sheet's values, for the test to compare
    var out = {};
    book.worksheets.items.forEach(function (s) {
      var last = s.used();
      var range = s.getRangeByIndexes(0, 0, last[0] + 1, last[1] + 1);
      var categories = range.grid("category");
      out[s.name] = range.grid("v").map(function (row, r) {
        return row.map(function (v, c) {
          return categories[r][c] === "Date" && typeof v === "number"
            ? { date: new Date(Math.round((v - 25569) * 86400000)).toISOString() } : v;
        });
      });
    });
    return out;
  };

  window.OfficeExtension = { Error: function OfficeError(message) { this.message = message; } };
  window.Office = {
    onReady: function (callback) {
      return Promise.resolve().then(function () {
        var info = { host: "Excel", platform: "PC" };
        if (callback) { callback(info); }
        return info;
      });
    },
    context: { requirements: { isSetSupported: function () { return true; } } }
  };
  window.Excel = {
    run: function (batch) {
      var context = { workbook: book, sync: function () { return Promise.resolve(); } };
      return Promise.resolve().then(function () { return batch(context); });
    }
  };
})();
