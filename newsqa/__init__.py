"""newsqa: cited question answering over news articles.

The shared bottom of the stack: the version and the :class:`~newsqa.settings.Settings`
object that every layer (ingest -> vectorstore -> rag -> ui) receives explicitly.
"""

from newsqa.settings import Settings, SettingsError

__version__ = "0.1.0"
__all__ = ["Settings", "SettingsError", "__version__"]
