from execcoord.registry import urls_for_app

app_name = "partners"
urlpatterns = urls_for_app("partners")
