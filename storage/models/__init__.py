"""All tables. Importing this package imports every module in it, so each feature's tables are on
`metadata` (for Alembic and the schema checks) without a list here naming the features."""

import importlib
import pkgutil

from storage.models.base import UTCDateTime, metadata

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["UTCDateTime", "metadata"]
