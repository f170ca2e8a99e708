"""The operations of the REST API, one module per area; each handler calls one service or selector."""
