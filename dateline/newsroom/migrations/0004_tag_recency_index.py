from django.db import migrations

# "The newest N articles with this tag" must read N index entries, not every article that
# ever carried the tag; article ids grow with time, so (tag, article) orders them by age.
# The through table is Django's own, so the index is created here rather than in Meta.


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0003_roles")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX newsroom_article_tags_tag_article ON newsroom_article_tags "
            "(tag_id, article_id)",
            "DROP INDEX newsroom_article_tags_tag_article",
        ),
    ]
