"""The site people read: pages made from the in-memory Project with the Jinja2 templates of
`mifi_rdf/templates/`, the same for `build` (every page written) and `serve` (each page on request).
See website.py, and docs/site.md."""
