from django.core.management.base import BaseCommand

from jii import privacy


class Command(BaseCommand):
    help = "Anonymise every record past its period in the retention table (the daily job does the same)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="print what would be anonymised, write nothing")

    def handle(self, *args, dry_run=False, **options):
        done = privacy.apply_retention(dry_run=dry_run)
        self.stdout.write("would anonymise (nothing written):" if dry_run else "anonymised:")
        width = max(len(key) for key in done)
        for kind in privacy.table():
            self.stdout.write(f"  {kind.key:<{width}}  {done[kind.key]:>6}  {kind.description} ({kind.kept_for()})")
