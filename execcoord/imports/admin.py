"""Django admin's import/export buttons, on the same resources and the same import page."""


def admin_mixin():
    """The mixin adding import/export buttons to a model admin (built lazily, so importing
    this module never loads the admin)."""
    from import_export.admin import ImportExportMixin
    from import_export.formats.base_formats import CSV, XLSX

    class ImportExportAdminMixin(ImportExportMixin):
        """Import/export in the admin with the same resources, rules and permissions as the
        import page: the resources see the request user, only managers and administrators
        with add and change permission import.

        The admin's Import button opens the import page itself, on this model's resource:
        one reader for both (the same encodings, workbook checks, column names and sheet
        row numbers), a preview, and an all-or-nothing confirmation that reports a failure
        as a failure. The admin's own import flow counted rows as added when a rolled-back
        file had written nothing, and logged those additions.
        """

        formats = [CSV, XLSX]

        def get_resource_kwargs(self, request, *args, **kwargs):
            return {"user": request.user}

        def has_import_permission(self, request):
            return any(r.can_import(request.user) for r in self.get_resource_classes(request))

        def import_action(self, request, **kwargs):
            from django.core.exceptions import PermissionDenied
            from django.shortcuts import redirect
            from django.urls import reverse

            if not self.has_import_permission(request):
                raise PermissionDenied
            resource = next(
                r for r in self.get_resource_classes(request) if r.can_import(request.user)
            )
            return redirect(f"{reverse('import')}?resource={resource.slug}")

        process_import = import_action

    return ImportExportAdminMixin
