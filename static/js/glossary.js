// Filters the glossary as the member types. Without JavaScript the form filters on the server.
(function () {
  "use strict";
  var input = document.querySelector("[data-glossary-filter]");
  var count = document.querySelector("[data-glossary-count]");
  if (!input) return;
  var entries = Array.prototype.slice.call(document.querySelectorAll("[data-glossary-entry]"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("[data-glossary-section]"));

  function apply() {
    var needle = input.value.trim().toLowerCase();
    var shown = 0;
    entries.forEach(function (entry) {
      var match = !needle || entry.textContent.toLowerCase().indexOf(needle) !== -1;
      entry.hidden = !match;
      if (match) shown += 1;
    });
    sections.forEach(function (section) {
      section.hidden = !section.querySelector("[data-glossary-entry]:not([hidden])");
      var link = document.querySelector('[data-glossary-letter="' + section.id.replace("letter-", "") + '"]');
      if (link) link.parentElement.hidden = section.hidden;
    });
    if (count) {
      count.textContent = needle ? shown + (shown === 1 ? " term matches." : " terms match.") : "";
    }
  }

  input.addEventListener("input", apply);
})();
