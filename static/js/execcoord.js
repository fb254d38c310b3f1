/* execcoord: behaviour wired by data attributes (the CSP forbids inline scripts). */
(function () {
  "use strict";

  /* Search-as-you-type pickers: <select data-autocomplete-url="/autocomplete/app.model/">. */
  function initAutocomplete(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    var url = select.getAttribute("data-autocomplete-url");
    var requests = 0;
    /* data-autocomplete-prefer-from="id_lead_unit": the records of that choice come first
       (the lead unit's people for the accountable person) */
    var source = document.getElementById(select.getAttribute("data-autocomplete-prefer-from") || "");
    function preferred() {
      return source && source.value ? "&prefer=" + encodeURIComponent(source.value) : "";
    }
    var picker = new TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: [],
      preload: "focus",
      maxOptions: 20,
      allowEmptyOption: true,
      /* a single choice is made: close the list at once, so the next click lands where
         it is aimed instead of on a control that shrinks as its list closes */
      closeAfterSelect: !select.multiple,
      plugins: select.multiple ? ["remove_button"] : ["clear_button"],
      load: function (query, callback) {
        var picker = this;
        var asked = ++requests;
        fetch(url + "?q=" + encodeURIComponent(query) + preferred(), { credentials: "same-origin",
          headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            /* An answer to an earlier text that arrives after a later request was sent
               (the empty preload, say, overtaking "Budget") is dropped: it would
               replace the offer for what is typed now with everything. */
            if (asked !== requests) { callback(); return; }
            /* The server has searched: offer its answer only, not what an earlier,
               different text loaded (the chosen records stay). */
            picker.clearOptions();
            callback(data.results);
          })
          .catch(function () { callback(); });
      },
      shouldLoad: function () { return true; },
      render: {
        no_results: function () { return '<div class="no-results">No matching records</div>'; }
      }
    });
    /* Tom Select points the label at its own combobox, which is what people use; the
       original select stays in the page only to be submitted: keep it out of the
       accessibility tree so it is neither announced twice nor nameless (axe: select-name). */
    select.setAttribute("aria-hidden", "true");
    if (source) {
      /* another lead unit: what was offered no longer comes first */
      source.addEventListener("change", function () { picker.clearOptions(); });
    }
  }

  /* A table wider than the screen scrolls: make the scrolling box reachable by keyboard
     and give it the table's name (WCAG 2.1.1). */
  function markScrollable(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (caption ? caption.textContent.trim() : "Table") +
        " (scrolls sideways)");
      box.setAttribute("data-ec-scrollable", "");
    } else if (!scrolls && box.hasAttribute("data-ec-scrollable")) {
      ["tabindex", "role", "aria-label", "data-ec-scrollable"].forEach(function (name) {
        box.removeAttribute(name);
      });
    }
  }
  function markAllScrollable() {
    document.querySelectorAll(".table-responsive").forEach(markScrollable);
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

  /* A filter form sends only the fields that have a value: without this a list's URL
     carried forty empty parameters (the server redirects such a URL the same way when the
     script has not run). */
  function dropEmptyFields(form) {
    form.addEventListener("formdata", function (event) {
      var data = event.formData;
      var kept = [];
      data.forEach(function (value, key) {
        if (!(typeof value === "string" && value === "")) kept.push([key, value]);
      });
      Array.from(new Set(Array.from(data.keys()))).forEach(function (key) { data.delete(key); });
      kept.forEach(function (pair) { data.append(pair[0], pair[1]); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-ec-drop-empty]").forEach(dropEmptyFields);
    document.querySelectorAll("select[data-autocomplete-url]").forEach(initAutocomplete);
    document.querySelectorAll("input.js-select-all").forEach(initSelectAll);
    markAllScrollable();
    window.addEventListener("resize", markAllScrollable);
    window.addEventListener("load", markAllScrollable);
  });
})();
