"""WebSub's models moved to `syndication` (its migration 0002): drop them from this app's
state only; their tables stay as they are, now syndication's (see that migration)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('live', '0002_websub'),
        ('syndication', '0002_websub_from_live'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Intent'),
                migrations.DeleteModel(name='Subscription'),
            ],
            database_operations=[],
        ),
    ]
