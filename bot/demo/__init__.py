"""`duban demo`: the whole product with the sandbox WeCom, on SQLite, in a browser."""
