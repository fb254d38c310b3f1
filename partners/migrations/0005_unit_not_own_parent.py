from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0004_version_help_text'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='organizationunit',
            constraint=models.CheckConstraint(condition=models.Q(('parent__isnull', True), models.Q(('parent', models.F('pk')), _negated=True), _connector='OR'), name='partners_organizationunit_not_own_parent', violation_error_message='A unit cannot be its own parent.'),
        ),
    ]
