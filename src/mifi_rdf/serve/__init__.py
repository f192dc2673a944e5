"""Stage 6, serve: a read-only SPARQL 1.1 endpoint and dereferenceable URIs over the cubes, with
killable query workers, a query guard, content negotiation, a cache and HTML pages."""
