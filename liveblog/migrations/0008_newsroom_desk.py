"""The newsroom desk: roles per blog, bylines, labels, and the desk's unpublished updates.

Blog.members becomes a relation through Membership, which carries the role; every existing
member becomes an editor, as they could publish before.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def members_become_editors(apps, schema_editor) -> None:
    blog_model = apps.get_model("liveblog", "Blog")
    membership_model = apps.get_model("liveblog", "Membership")
    pairs = blog_model.members.through.objects.values_list("blog_id", "user_id")
    membership_model.objects.bulk_create(
        membership_model(blog_id=blog_id, user_id=user_id, role="editor")
        for blog_id, user_id in pairs
    )


def memberships_become_members(apps, schema_editor) -> None:
    blog_model = apps.get_model("liveblog", "Blog")
    membership_model = apps.get_model("liveblog", "Membership")
    through = blog_model.members.through
    through.objects.bulk_create(
        through(blog_id=blog_id, user_id=user_id)
        for blog_id, user_id in membership_model.objects.values_list("blog_id", "user_id")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('liveblog', '0007_webhook_subscribers_and_delivery_log'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='blog',
            name='labels',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='entry',
            name='author_location',
            field=models.CharField(blank=True, default='', max_length=200),
        ),
        migrations.AddField(
            model_name='entry',
            name='author_name',
            field=models.CharField(blank=True, default='', max_length=200),
        ),
        migrations.AddField(
            model_name='entry',
            name='author_role',
            field=models.CharField(blank=True, default='', max_length=200),
        ),
        migrations.AddField(
            model_name='entry',
            name='labels',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name='Profile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('display_name', models.CharField(blank=True, help_text='As readers see it, e.g. Ana Petrosyan. Empty: your first and last name.', max_length=200)),
                ('role', models.CharField(blank=True, help_text='Optional, e.g. Correspondent.', max_length=200)),
                ('location', models.CharField(blank=True, help_text='Optional: where you report from, e.g. Yerevan (shown as “in Yerevan”).', max_length=200)),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='byline_profile', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'byline',
            },
        ),
        migrations.CreateModel(
            name='DeskEntry',
            fields=[
                ('id', models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('scheduled', 'Scheduled'), ('submitted', 'Submitted'), ('returned', 'Returned'), ('published', 'Published'), ('cancelled', 'Cancelled')], max_length=10)),
                ('headline', models.CharField(blank=True, max_length=300)),
                ('body', models.TextField()),
                ('body_html', models.TextField()),
                ('key_event', models.BooleanField(default=False)),
                ('pinned', models.BooleanField(default=False)),
                ('author_name', models.CharField(blank=True, max_length=200)),
                ('author_role', models.CharField(blank=True, max_length=200)),
                ('author_location', models.CharField(blank=True, max_length=200)),
                ('labels', models.JSONField(blank=True, default=list)),
                ('media', models.JSONField(blank=True, default=list)),
                ('embeds', models.JSONField(blank=True, default=list)),
                ('occurred_at', models.DateTimeField(blank=True, null=True)),
                ('publish_at', models.DateTimeField(blank=True, null=True)),
                ('note', models.TextField(blank=True)),
                ('written_by', models.CharField(max_length=150)),
                ('scheduled_by', models.CharField(blank=True, max_length=150)),
                ('decided_by', models.CharField(blank=True, max_length=150)),
                ('revision', models.PositiveIntegerField(default=1)),
                ('created_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField()),
                ('last_seq', models.PositiveBigIntegerField()),
                ('blog', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='desk_entries', to='liveblog.blog')),
            ],
            options={
                'verbose_name_plural': 'desk entries',
                'ordering': ['-updated_at'],
                'indexes': [models.Index(fields=['blog', 'status'], name='liveblog_deskentry_status'), models.Index(fields=['status', 'publish_at'], name='liveblog_deskentry_due')],
            },
        ),
        migrations.CreateModel(
            name='EntryLabel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=40)),
                ('blog', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='liveblog.blog')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='label_rows', to='liveblog.entry')),
            ],
            options={
                'indexes': [models.Index(fields=['blog', 'name'], name='liveblog_entrylabel_name')],
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('editor', 'Editor'), ('contributor', 'Contributor')], default='editor', help_text="Editors publish and approve; contributors' updates wait for an editor.", max_length=20)),
                ('blog', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='liveblog.blog')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['blog', 'user__username'],
                'constraints': [models.UniqueConstraint(fields=('blog', 'user'), name='liveblog_membership_unique')],
            },
        ),
            migrations.RunPython(members_become_editors, memberships_become_members),
        migrations.RemoveField(model_name='blog', name='members'),
        migrations.AddField(
            model_name='blog',
            name='members',
            field=models.ManyToManyField(blank=True, help_text='Editors and contributors of this blog (see Membership).', related_name='liveblogs', through='liveblog.Membership', to=settings.AUTH_USER_MODEL),
        ),
    ]
