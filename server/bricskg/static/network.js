// The interactive network view: /network.json drawn with vis-network (vendored, no CDN).
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
      const nodes = new vis.DataSet(data.nodes.map(function (node) {
        return {
          id: node.id, label: node.label, title: node.label + " (" + node.group + ")", href: node.href,
          color: { background: colour[node.group], border: colour[node.group] },
          shape: "dot", size: node.group === "state" || node.group === "bloc" ? 14 : 10,
          font: { size: 14, color: "#1a202c", strokeWidth: 3, strokeColor: "#ffffff" },
        };
      }));
      const edges = new vis.DataSet(data.edges.map(function (edge, index) {
        return { id: index, from: edge.source, to: edge.target, title: edge.label, color: { color: "#9aa5b1" } };
      }));
      const network = new vis.Network(container, { nodes: nodes, edges: edges }, {
        physics: { solver: "forceAtlas2Based", stabilization: { iterations: 300 } },
        interaction: { hover: true, tooltipDelay: 120 },
      });
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
