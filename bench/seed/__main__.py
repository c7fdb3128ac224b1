"""`python -m bench.seed`: Django is set up before the seeder, and its models, are imported."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_portal.settings.dev")
django.setup()

from bench.seed.seeder import main  # noqa: E402 - models load only once Django is set up

main()
