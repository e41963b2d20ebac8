/* xlperf: the XLPERF.* worksheet functions, registered with Excel (shared runtime).
 * Each call posts its arguments to this server (with the pane's server key) and returns the
 * cells it answers; a problem becomes #VALUE! with the server's sentence as its tooltip.
 * The ids below are filled in by the server from xlperf/excel/functions.py.
 */
(function () {
  "use strict";
  var IDS = /*IDS*/[];
  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src).origin : window.location.origin;

  function key() {
    if (typeof window.xlperfServerKey === "function") { return window.xlperfServerKey(); }
    try { return window.localStorage.getItem("xlperf.key") || ""; } catch (e) { return ""; }
  }

  function matrix(value) {
    if (value === undefined || value === null) { return [[null]]; }
    return Array.isArray(value) ? value : [[value]];
  }

  function fail(text) {
    if (typeof CustomFunctions !== "undefined") {
      throw new CustomFunctions.Error(CustomFunctions.ErrorCode.invalidValue, text);
    }
    throw new Error(text);
  }

  function make(id) {
    return function () {
      var args = Array.prototype.slice.call(arguments);
      var last = args[args.length - 1];
      if (last && typeof last === "object" && !Array.isArray(last) && "address" in last) {
        args.pop(); // the invocation (requiresAddress), not an argument
      }
      var headers = { "Content-Type": "application/json" };
      if (key()) { headers["Authorization"] = "Bearer " + key(); }
      return fetch(base + "/functions/call", {
        method: "POST", headers: headers,
        body: JSON.stringify({ id: id, args: args.map(matrix) })
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok || !data.ok) { fail(data.error || "xlperf server error"); }
          return data.result;
        });
      }, function () {
        fail("The xlperf server cannot be reached.");
      });
    };
  }

  var registered = {};
  IDS.forEach(function (id) { registered[id] = make(id); });
  window.xlperfFunctions = registered;
  if (typeof CustomFunctions !== "undefined" && CustomFunctions.associate) {
    IDS.forEach(function (id) { CustomFunctions.associate(id, registered[id]); });
  }
})();
