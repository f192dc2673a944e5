"""Stage 5, build: a publishable folder (every dataset in every format, CSV with CSVW, the DCAT-AP
catalog, VoID, web pages), and reading such a folder back for `serve` and `publish`."""
