// Rogatory's few behaviours in the browser, driven by data- attributes in the templates.
//
// The Content Security Policy allows scripts from this site's static files only: no inline
// <script>, no onclick= or onsubmit=. Each behaviour listens on the document, so that it also
// works in the parts of pages htmx swaps in.
//
//   data-confirm="Question?"       on a form: ask before submitting it; Cancel keeps the page.
//   data-exclusive="group"          on a field's wrapper: a value chosen in one group of a form
//                                   clears the fields of its other groups (a year or two dates).
//   data-copy="element-id"          on a button: copy that field's value to the clipboard, then
//   data-copied="Copied"            show this label on the button.
//   data-select-on-focus            on a field: select its whole value when it gets focus.
(function () {
  "use strict";

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var question = form.getAttribute && form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("change", function (event) {
    var field = event.target;
    var group = field.closest && field.closest("[data-exclusive]");
    if (!group || !field.value || !field.form) {
      return;
    }
    var name = group.getAttribute("data-exclusive");
    field.form.querySelectorAll("[data-exclusive]").forEach(function (other) {
      if (other.getAttribute("data-exclusive") === name) {
        return;
      }
      other.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.value = "";
      });
    });
  });

  function copied(button) {
    var label = button.getAttribute("data-copied");
    if (label) {
      button.textContent = label;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) {
      return;
    }
    var fallback = function () {
      // Without the asynchronous clipboard (an old browser, plain HTTP): copy the selection.
      source.focus();
      source.select();
      if (document.execCommand && document.execCommand("copy")) {
        copied(button);
      }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(source.value).then(function () {
        copied(button);
      }, fallback);
    } else {
      fallback();
    }
  });

  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-select-on-focus") && field.select) {
      field.select();
    }
  });
})();
