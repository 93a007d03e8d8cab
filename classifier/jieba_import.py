"""jieba, imported without setuptools' pkg_resources (0.13 s of every start).

jieba finds its own data files with pkg_resources when it can import it and by path when it
cannot; the path is all it needs, so the import is hidden from it while jieba loads.
"""

from __future__ import annotations

import sys

_BLOCKED = "pkg_resources"
_hidden = _BLOCKED not in sys.modules
if _hidden:
    sys.modules[_BLOCKED] = None  # type: ignore[assignment]  # `import` then raises ImportError
try:
    import jieba
finally:
    if _hidden:
        del sys.modules[_BLOCKED]

__all__ = ["jieba"]
