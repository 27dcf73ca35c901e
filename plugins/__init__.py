"""Built-in area plugins: the 7 standard CCHC reform areas, installed as ``reportsvc_plugins``.

Each module is an ordinary reportsvc plugin and uses only the public hooks.
"""
