from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Who is involved: organization units, people, partner accounts, agreements."""

    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        from execcoord import access as shared_access
        from execcoord import policy, sso
        from partners import access
        from partners import sso as partners_sso

        # What the shared layer asks of the roles and units defined here (it imports no
        # domain app): who imports, takes in mail and shares views, a user's own unit and
        # roles (one query).
        # the secretariat (Staff of a unit flagged ``is_secretariat``) imports and takes in
        # correspondence too (issue 17)
        policy.grant("import", access.SECRETARIAT_ROLES)
        policy.grant("intake", access.SECRETARIAT_ROLES)
        policy.grant("share_views", access.PRIVILEGED_ROLES)
        policy.register_user_unit(access.user_unit_id)
        policy.register_user_roles(access.user_roles)
        shared_access.register_scope_key(access.scope_key)
        # single sign-on: who a provider's claim names, and the user of a first sign-in
        sso.register_accounts(
            partners_sso.find_users, partners_sso.create_user, admin_site_groups=[access.ROLE_ADMIN]
        )
