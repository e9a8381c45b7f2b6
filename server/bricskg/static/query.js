// The query page: YASGUI on this server's /sparql, one tab per example query.
// Nothing here may leave the origin: YASGUI's class/property autocompleters ask the LOV API at
// lov.linkeddata.es and its prefix completer can fetch prefix.cc. They are replaced by completers
// that ask this server's own endpoint for the classes and properties the graph uses.
(function () {
  "use strict";
  const examples = JSON.parse(document.getElementById("bricskg-examples").textContent);
  const settings = JSON.parse(document.getElementById("bricskg-settings").textContent);
  const endpoint = new URL(settings.endpoint, window.location.href).href;

  function termsFromEndpoint(sparql) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: "application/sparql-results+json" },
      body: sparql,
    })
      .then(function (response) { return response.json(); })
      .then(function (json) { return json.results.bindings.map(function (row) { return row.term.value; }); });
  }
  // Forks keep YASQE's position checks and prefix handling; only where the terms come from changes.
  Yasgui.Yasqe.forkAutocompleter("class", {
    name: "localClass", bulk: true,
    get: function () {
      return termsFromEndpoint("SELECT DISTINCT ?term WHERE { { ?term a <http://www.w3.org/2002/07/owl#Class> } UNION { ?x a ?term } FILTER(isIRI(?term)) }");
    },
  }, false);
  Yasgui.Yasqe.forkAutocompleter("property", {
    name: "localProperty", bulk: true,
    get: function () {
      return termsFromEndpoint("SELECT DISTINCT ?term WHERE { ?s ?term ?o }");
    },
  }, false);

  const OFFLINE_COMPLETERS = ["prefixes", "variables", "localClass", "localProperty"];
  Yasgui.Yasqe.defaults.autocompleters = OFFLINE_COMPLETERS.slice();
  Yasgui.Yasqe.defaults.prefixCcApi = null;
  Yasgui.defaults.yasqe.autocompleters = OFFLINE_COMPLETERS.slice();

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    persistenceId: null,      // always start from the examples, not from an old browser session
    populateFromUrl: false,
    autoAddOnInit: false,
    corsProxy: undefined,
    yasr: { prefixes: settings.prefixes },
  });

  // One tab to begin with, not one per example: 22 tabs wrapped to five rows on a desktop and filled a
  // phone's screen. The picker loads an example into the active tab; more tabs come from YASGUI's "+".
  // Which example a tab holds is remembered, so the picker follows tab clicks.
  const exampleOfTab = {};
  const byId = {};
  examples.forEach(function (example) { byId[example.id] = example; });

  function activeTab() {
    return yasgui.getTab();
  }

  function showExampleOf(tabId) {
    const picker = document.getElementById("example-picker");
    picker.value = exampleOfTab[tabId] || "";
  }

  function openExample(id, run) {
    const example = byId[id];
    if (!example) return;
    const tab = activeTab();
    tab.setQuery(example.query);
    tab.setName(example.id);
    exampleOfTab[tab.getId()] = id;
    showExampleOf(tab.getId());
    if (run) tab.query();
  }

  const wanted = new URLSearchParams(window.location.search).get("example");
  const first = byId[wanted] ? byId[wanted] : examples[0];
  const initial = yasgui.addTab(true, {
    name: first ? first.id : "query",
    yasqe: { value: first ? first.query : "" },
    requestConfig: { endpoint: endpoint, method: "POST" },
  });
  if (first) exampleOfTab[initial.getId()] = first.id;
  showExampleOf(initial.getId());
  // selectTabId() answers the tab that WAS active; the event names the one now shown.
  yasgui.on("tabSelect", function (_instance, tabId) { showExampleOf(tabId); });
  yasgui.on("tabAdd", function (_instance, tabId) { showExampleOf(tabId); });

  // Result links to our own IRIs open the local page, not w3id.org (which may not point here).
  document.getElementById("yasgui").addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest("a[href]");
    if (!link || !link.href.startsWith(settings.baseIri)) return;
    event.preventDefault();
    window.location.href = "/" + link.href.slice(settings.baseIri.length);
  });

  document.getElementById("run-example").addEventListener("click", function () {
    openExample(document.getElementById("example-picker").value, true);
  });
  document.getElementById("example-picker").addEventListener("change", function (event) {
    openExample(event.target.value, false);
  });

  if (byId[wanted]) initial.query();
  window.bricskgYasgui = yasgui;
})();
