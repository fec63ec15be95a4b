// The network page: the actors and links of /network.json drawn with Cytoscape.js.
(function () {
  "use strict";
  const container = document.getElementById("network");
  // The colours of the legend in style.css.
  const colours = {
    Person: "#1f5fa8", Country: "#b3261e", Government: "#7a4fb0", Organization: "#2e7d32",
    met: "#1f5fa8", committed: "#2e7d32",
  };

  fetch(container.dataset.source)
    .then((response) => response.json())
    .then((elements) => {
      if (!elements.nodes.length) {
        container.textContent = "No links for this choice. · Ningún vínculo para esta elección.";
        return;
      }
      const network = cytoscape({
        container: container,
        elements: elements,
        layout: {
          name: "cose", animate: false, padding: 40,
          idealEdgeLength: () => 100, nodeRepulsion: () => 200000, componentSpacing: 80,
          nodeDimensionsIncludeLabels: true,
        },
        style: [
          { selector: "node", style: {
            "label": "data(label)", "font-size": 12, "text-valign": "bottom", "text-margin-y": 4,
            "text-wrap": "wrap", "text-max-width": 140,
            "background-color": (node) => colours[node.data("type")] || "#5d6677",
            "width": 18, "height": 18 } },
          { selector: "edge", style: {
            "width": (edge) => 1 + 2 * Math.log2(edge.data("weight")),
            "line-color": (edge) => colours[edge.data("relation")] || "#5d6677",
            "line-style": (edge) => edge.data("relation") === "committed" ? "dashed" : "solid",
            "curve-style": "bezier", "opacity": 0.8 } },
        ],
      });
      // A few actors would otherwise be blown up to fill the frame.
      if (network.zoom() > 1.2) {
        network.zoom(1.2);
        network.center();
      }
      network.on("tap", "node", (event) => { window.location.href = event.target.data("href"); });
    })
    .catch((error) => { container.textContent = "The network could not be drawn: " + error; });
})();
