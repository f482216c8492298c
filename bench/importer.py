"""Time `exchange.importing.apply_import` on a file, inside a Django process of its own.

    DATABASE_URL=... python -m bench.importer FILE [--warmup WARMFILE]

Run by the benchmark with the benchmark database's environment. Django's start-up is not
counted: only the import itself, as the admin's confirm step or `manage.py import_cases`
would run it once the app is loaded. A small warm-up import first loads the importer's code
paths. Prints one line of JSON: {"seconds": ..., "created": ..., "rows": ...}.
"""

import argparse
import json
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--warmup")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    import django

    django.setup()
    from exchange.importing import ImportInvalid, apply_import

    def run(path: Path):
        data = path.read_bytes()
        started = time.perf_counter()
        try:
            result = apply_import(data, path.name)
        except ImportInvalid as invalid:
            errors = [str(error) for error in invalid.plan.errors[:5]]
            raise SystemExit(f"the benchmark's import file is invalid: {errors}") from None
        return time.perf_counter() - started, result

    if options.warmup:
        run(Path(options.warmup))
    seconds, result = run(Path(options.file))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "created": result.plan.created,
                "rows": len(result.plan.rows),
            }
        )
    )


if __name__ == "__main__":
    main()
