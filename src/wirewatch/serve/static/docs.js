// Renders /openapi.json as a plain list of endpoints and parameters (no CDN, no inline script).
"use strict";
(async () => {
  const spec = await (await fetch("/openapi.json")).json();
  const root = document.getElementById("paths");
  const el = (tag, text) => { const e = document.createElement(tag); if (text) e.textContent = text; return e; };
  for (const [path, ops] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(ops)) {
      const sec = el("section");
      sec.appendChild(el("h2", `${method.toUpperCase()} ${path}`));
      if (op.summary) sec.appendChild(el("p", op.summary));
      const params = op.parameters || [];
      if (params.length) {
        const ul = el("ul");
        for (const p of params) {
          const s = p.schema || {};
          const t = s.type || (s.anyOf || []).map(x => x.format || x.type).filter(Boolean).join(" | ");
          ul.appendChild(el("li", `${p.name} (${p.in}${p.required ? ", required" : ""}): ${t}`));
        }
        sec.appendChild(ul);
      }
      const codes = Object.keys(op.responses || {});
      sec.appendChild(el("p", `responses: ${codes.join(", ")}`));
      root.appendChild(sec);
    }
  }
})();
