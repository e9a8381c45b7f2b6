// Tables with class "sortable": a click on a header button sorts the rows by that column's text
// (natural order, so "Synthland 9" comes before "Synthland 10"); a second click reverses it.
(function () {
  "use strict";
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("button.sort").forEach(function (button) {
      button.addEventListener("click", function () {
        const column = Number(button.dataset.column);
        const ascending = button.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("button.sort").forEach(function (other) { other.removeAttribute("aria-sort"); });
        button.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort(function (a, b) {
          const order = collator.compare(a.cells[column].textContent.trim(), b.cells[column].textContent.trim());
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
