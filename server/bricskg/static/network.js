// The interactive network view: /network.json drawn with vis-network (vendored, no CDN).
// The layout is seeded, so a reader finds every node where it was last time, and physics stops
// once it has settled. Edges carry their property's label; relation nodes (a membership, say) are
// small grey diamonds between the things they relate.
(function () {
  "use strict";
  const container = document.getElementById("network");
  const status = document.getElementById("network-status");
  fetch(container.dataset.source, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error("network data: HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      const colour = {};
      const legend = document.getElementById("network-legend");
      data.groups.forEach(function (group) {
        colour[group.name] = group.colour;
        const item = document.createElement("span");
        item.className = "legend-item";
        const dot = document.createElement("span");
        dot.className = "dot";
        dot.style.background = group.colour;
        item.appendChild(dot);
        item.appendChild(document.createTextNode(group.name));
        legend.appendChild(item);
      });
      const labelOf = {};
      data.nodes.forEach(function (node) { labelOf[node.id] = node.label; });
      const nodes = new vis.DataSet(data.nodes.map(function (node) {
        const relation = node.group === "relation";
        return {
          id: node.id, label: node.label, title: node.label + " (" + node.group + ")", href: node.href,
          color: { background: colour[node.group], border: colour[node.group] },
          shape: relation ? "diamond" : "dot",
          size: relation ? 6 : (node.group === "state" || node.group === "bloc" ? 14 : 10),
          font: relation
            ? { size: 11, color: "#4a5568", strokeWidth: 3, strokeColor: "#ffffff" }
            : { size: 16, color: "#1a202c", strokeWidth: 3, strokeColor: "#ffffff" },
        };
      }));
      const edges = new vis.DataSet(data.edges.map(function (edge, index) {
        return {
          id: index, from: edge.source, to: edge.target, label: edge.label, arrows: "to",
          title: labelOf[edge.source] + " — " + edge.label + " → " + labelOf[edge.target],
          color: { color: "#9aa5b1" },
          font: { size: 12, color: "#4a5568", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
        };
      }));
      const network = new vis.Network(container, { nodes: nodes, edges: edges }, {
        layout: { randomSeed: 7, improvedLayout: true },
        physics: {
          solver: "forceAtlas2Based",
          forceAtlas2Based: { gravitationalConstant: -90, springLength: 120, avoidOverlap: 0.6 },
          stabilization: { iterations: 400, fit: true },
        },
        interaction: { hover: true, tooltipDelay: 120 },
      });
      network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); });
      network.on("doubleClick", function (params) { open(params); });
      network.on("click", function (params) { open(params); });
      function open(params) {
        if (params.nodes.length === 1) window.location.href = nodes.get(params.nodes[0]).href;
      }
      network.once("afterDrawing", function () {
        container.dataset.drawn = "true";
        status.textContent = data.nodes.length + " nodes, " + data.edges.length + " edges.";
      });
      window.bricskgNetwork = network;
    })
    .catch(function (error) {
      status.textContent = "Could not draw the network: " + error.message;
    });
})();
