"""The figures core: tallies, the data generation, the reference memo and the page cache.

Every page app (dashboard, exchange, showcase) reads its figures through this package and
`cases.stats`; nothing here imports a page app.
"""
