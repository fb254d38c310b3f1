/* execcoord: behaviour wired by data attributes (the CSP forbids inline scripts). */
(function () {
  "use strict";

  /* Search-as-you-type pickers: <select data-autocomplete-url="/autocomplete/app.model/">. */
  function initAutocomplete(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    var url = select.getAttribute("data-autocomplete-url");
    new TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: [],
      preload: "focus",
      maxOptions: 20,
      allowEmptyOption: true,
      plugins: select.multiple ? ["remove_button"] : ["clear_button"],
      load: function (query, callback) {
        fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin",
          headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      shouldLoad: function () { return true; },
      render: {
        no_results: function () { return '<div class="no-results">No matching records</div>'; }
      }
    });
  }

  /* "Select all" checkbox of bulk-action tables. */
  function initSelectAll(box) {
    box.addEventListener("change", function () {
      var table = box.closest("table");
      table.querySelectorAll('tbody input[type="checkbox"][name="pk"]').forEach(function (cb) {
        cb.checked = box.checked;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-autocomplete-url]").forEach(initAutocomplete);
    document.querySelectorAll("input.js-select-all").forEach(initSelectAll);
  });
})();
