# Matches mirrored from the provider's video list (AI on the Ball history).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matches', '0002_match_file_purged_at_match_provider_has_file_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='match',
            name='provider_seen_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='match',
            name='phase',
            field=models.CharField(choices=[('registering', 'Sending to AI on the Ball'), ('video', 'Video being prepared'), ('analysing', 'Analysing'), ('done', 'Analysed'), ('failed', 'Failed'), ('not_analysed', 'Not analysed')], default='registering', max_length=12),
        ),
        migrations.AlterField(
            model_name='match',
            name='source',
            field=models.CharField(choices=[('upload', 'Uploaded file'), ('url', 'Video URL'), ('provider', 'Already at AI on the Ball')], max_length=10),
        ),
    ]
